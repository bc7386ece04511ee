using Kci.Handlers.Operations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Kci.Handlers.Pages.Console;

/// <summary>
/// Signing in with an operator token (<c>kci.operate</c>, from the same authority as the operations API's): the token is kept
/// in an HttpOnly, SameSite=Strict cookie sent to <c>/console</c> only, and validated on every request like a bearer header.
/// Signing out deletes it.
/// </summary>
public sealed class SignInModel(IOptions<OperationsAuth> options) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty(SupportsGet = true)] public bool Refused { get; set; }
    [BindProperty(SupportsGet = true)] public bool Denied { get; set; }
    [BindProperty] public string? Token { get; set; }

    public bool Enabled => options.Value.Enabled;
    public string RequiredScope => options.Value.RequiredScope;
    public string PersonalDataScope => options.Value.PersonalDataScope;

    public void OnGet()
    {
    }

    /// <summary>Signing out is a form post (with the antiforgery token), so no link on another site can sign an operator out.</summary>
    public IActionResult OnPostSignOut()
    {
        Response.Cookies.Delete(OperationsAuth.ConsoleCookie, new CookieOptions { Path = "/console", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = Request.IsHttps });
        return Redirect("/console/sign-in");
    }

    public IActionResult OnPost()
    {
        if (string.IsNullOrWhiteSpace(Token))
            return Page();
        Response.Cookies.Append(OperationsAuth.ConsoleCookie, Token.Trim(), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = Request.IsHttps,
            Path = "/console",
            IsEssential = true,
        });
        return Redirect(ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith("/console", StringComparison.Ordinal) ? url : "/console");
    }
}
