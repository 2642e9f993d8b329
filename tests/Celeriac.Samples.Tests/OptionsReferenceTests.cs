using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Celeriac.AspNetCore.Api;
using Celeriac.Core.Events;
using Celeriac.Core.Execution;
using Celeriac.Core.Revocation;
using Celeriac.Dashboard;
using Celeriac.RabbitMQ;
using Celeriac.Sqlite;
using Celeriac.Testing;

namespace Celeriac.Samples.Tests;

/// <summary>docs/options.md matches the code: every option is there with its key, its variable and its default.</summary>
public sealed partial class OptionsReferenceTests
{
    private static readonly Lazy<Dictionary<string, Row>> s_rows = new(ReadRows);

    public static TheoryData<string, string> Options()
    {
        var data = new TheoryData<string, string>();
        foreach (var (section, type) in Sections)
        {
            foreach (var property in Bindable(type))
            {
                data.Add(section, $"{type.Name}.{property.Name}");
            }
        }

        return data;
    }

    private static (string Section, Type Type)[] Sections =>
    [
        ("Worker", typeof(WorkerOptions)),
        ("Events", typeof(EventOptions)),
        ("Revocation", typeof(RevocationOptions)),
        ("RabbitMq", typeof(RabbitMqOptions)),
        ("Sqlite", typeof(SqliteTaskStoreOptions)),
        ("Http", typeof(TaskApiOptions)),
        ("Dashboard", typeof(DashboardOptions)),
        // The command line's own options live in the tool (an executable, not referenced): read from its assembly.
        ("Telemetry", Assembly.LoadFrom(TestEnvironment.CeleriacDll).GetType("Celeriac.Server.Telemetry.TelemetryOptions", throwOnError: true)!),
    ];

    [Theory]
    [MemberData(nameof(Options))]
    public void OptionsMd_EveryBindableOption_IsListedWithItsVariableAndDefault(string section, string option)
    {
        var (type, property) = Find(option);
        var key = $"Celeriac:{section}:{property.Name}";

        Assert.True(s_rows.Value.TryGetValue(key, out var row), $"docs/options.md has no row for {key} ({option})");
        Assert.Equal(key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant(), row.Variable);
        // A default in backticks is a literal value and must be the code's; machine-dependent defaults are prose.
        if (row.Default.StartsWith('`') && row.Default.EndsWith('`') && row.Default.Count(c => c == '`') == 2)
        {
            Assert.Equal(Format(property.GetValue(Activator.CreateInstance(type, nonPublic: true))), row.Default.Trim('`'));
        }
    }

    [Fact]
    public void OptionsMd_EveryRow_IsABindableOption()
    {
        var known = Sections.SelectMany(s => Bindable(s.Type).Select(p => $"Celeriac:{s.Section}:{p.Name}")).ToHashSet();

        Assert.All(s_rows.Value.Keys, key => Assert.Contains(key, known));
    }

    // What the configuration binder sets: public read-write properties, and read-only collections it fills.
    private static IEnumerable<PropertyInfo> Bindable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod?.IsPublic == true || (p.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(p.PropertyType)));

    private static (Type Type, PropertyInfo Property) Find(string option)
    {
        var (typeName, propertyName) = (option[..option.IndexOf('.', StringComparison.Ordinal)], option[(option.IndexOf('.', StringComparison.Ordinal) + 1)..]);
        var type = Sections.Single(s => s.Type.Name == typeName).Type;
        return (type, type.GetProperty(propertyName)!);
    }

    private static string Format(object? value) => value switch
    {
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        string s => s,
        IEnumerable list => string.Join(",", list.Cast<object>()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };

    private static Dictionary<string, Row> ReadRows()
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(TestEnvironment.RepositoryRoot, "docs", "options.md")))
        {
            if (RowPattern().Match(line) is { Success: true } match)
            {
                rows.Add(match.Groups["key"].Value, new Row(match.Groups["variable"].Value, match.Groups["default"].Value.Trim()));
            }
        }

        return rows;
    }

    [GeneratedRegex(@"^\| `(?<key>Celeriac:[A-Za-z]+:[A-Za-z]+)` \| `(?<variable>[A-Z_]+)` \| (?<default>[^|]+) \|")]
    private static partial Regex RowPattern();

    private sealed record Row(string Variable, string Default);
}
