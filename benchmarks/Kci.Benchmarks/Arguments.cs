using System.Globalization;

namespace Kci.Benchmarks;

/// <summary>--name value pairs from a command line.</summary>
internal sealed class Arguments(IReadOnlyList<string> args)
{
    private readonly Dictionary<string, string> _values = Read(args);

    private static Dictionary<string, string> Read(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Count; i += 2)
            values[args[i].TrimStart('-')] = args[i + 1];
        return values;
    }

    public string Text(string name, string? fallback = null) =>
        _values.TryGetValue(name, out var value) ? value : fallback ?? throw new ArgumentException($"--{name} is required");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
