namespace Celeriac.Core.Tests.GoldenWire;

/// <summary>Deep equality of neutral header values (lists and tables compare element by element, in order).</summary>
public sealed class HeaderValueComparer : IEqualityComparer<KeyValuePair<string, object?>>, IEqualityComparer<object?>
{
    public static readonly HeaderValueComparer Instance = new();

    public bool Equals(KeyValuePair<string, object?> x, KeyValuePair<string, object?> y) => x.Key == y.Key && Equals(x.Value, y.Value);

    public new bool Equals(object? x, object? y) => (x, y) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (IReadOnlyDictionary<string, object?> a, IReadOnlyDictionary<string, object?> b) => a.SequenceEqual(b, this),
        (string a, string b) => a == b,
        (IEnumerable<object?> a, IEnumerable<object?> b) => a.SequenceEqual(b, this),
        _ => x.Equals(y),
    };

    public int GetHashCode(KeyValuePair<string, object?> obj) => obj.Key.GetHashCode(StringComparison.Ordinal);

    public int GetHashCode(object? obj) => 0;
}
