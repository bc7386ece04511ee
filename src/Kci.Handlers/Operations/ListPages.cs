using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;

namespace Kci.Handlers.Operations;

/// <summary>
/// The operations API's lists of items (actions, dead letters, errors, unrecognised KCIs, notifications, operator actions)
/// come <see cref="Size"/> to a page: <c>?page=N</c> from 1, and while another page follows, the answer carries
/// <c>Link: &lt;…?…&amp;page=N+1&gt;; rel="next"</c> (RFC 8288) with the request's other parameters. Each list keeps its own
/// order, made total by the item's id, so walking the pages sees each item once while none comes or goes.
/// </summary>
internal static class ListPages
{
    public const int Size = 500;

    /// <summary>The last page any list of the API or the console serves (orders, waiting orders and the console's lists too).</summary>
    public const int MaxPage = 100_000;

    /// <summary>400 when <paramref name="page"/> is given and out of range; otherwise null. Also for the orders' pages.</summary>
    public static ValidationProblem? Refuse(int? page) =>
        page is < 1 or > MaxPage ? Problems.Invalid("page", $"must be from 1 to {MaxPage}") : null;

    /// <summary>Page <paramref name="page"/> (the first when null) of <paramref name="ordered"/>, with the next page's link when there is one.</summary>
    public static async Task<List<T>> PageAsync<T>(this IQueryable<T> ordered, int? page, HttpContext http, CancellationToken cancellationToken)
    {
        var number = page ?? 1;
        var rows = await ordered.Skip((number - 1) * Size).Take(Size + 1).ToListAsync(cancellationToken);
        if (rows.Count > Size)
        {
            rows.RemoveAt(Size);
            http.Response.Headers.Link = $"<{NextPage(http.Request, number + 1)}>; rel=\"next\"";
        }
        return rows;
    }

    internal static string NextPage(HttpRequest request, int page)
    {
        var query = request.Query.Where(p => !p.Key.Equals("page", StringComparison.OrdinalIgnoreCase))
            .Append(new KeyValuePair<string, StringValues>("page", page.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return $"{request.PathBase}{request.Path}{QueryString.Create(query)}";
    }
}
