using System.Globalization;
using System.Text;
using System.Text.Json;
using Celeriac.Core.Records;

namespace Celeriac.Records.Testing;

/// <summary>
/// Compares records field by field. Record equality cannot: JsonElement compares by document, not by value.
/// Args, kwargs and result must keep their exact raw text; times keep their offsets.
/// </summary>
public static class RecordAssert
{
    public static void Same(TaskRecord? expected, TaskRecord? actual) => Assert.Equal(Describe(expected), Describe(actual));

    /// <summary>Every field, one per line, so a failure shows which differs.</summary>
    public static string Describe(TaskRecord? record)
    {
        if (record is null)
        {
            return "(none)";
        }

        var text = new StringBuilder();
        void Line(string name, object? value) => text.Append(name).Append(" = ").Append(value switch
        {
            null => "null",
            DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
            double number => number.ToString("R", CultureInfo.InvariantCulture),
            JsonElement element => element.GetRawText(),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        }).Append('\n');

        Line(nameof(record.Id), record.Id);
        Line(nameof(record.Name), record.Name);
        Line(nameof(record.State), record.State);
        Line(nameof(record.Args), record.Args);
        Line(nameof(record.Kwargs), record.Kwargs);
        Line(nameof(record.Result), record.Result);
        Line("Error.Type", record.Error?.Type);
        // The error's arguments are compared by value: only args, kwargs and result promise their raw text.
        Line("Error.Args", record.Error is { } error ? JsonSerializer.Serialize(error.Args) : null);
        Line("Error.Module", record.Error?.Module);
        Line(nameof(record.Traceback), record.Traceback);
        Line(nameof(record.Worker), record.Worker);
        Line(nameof(record.Retries), record.Retries);
        Line(nameof(record.ParentId), record.ParentId);
        Line(nameof(record.RootId), record.RootId);
        Line(nameof(record.Eta), record.Eta);
        Line(nameof(record.Expires), record.Expires);
        Line("Revoke.RequestedAt", record.Revoke?.RequestedAt);
        Line("Revoke.Terminate", record.Revoke?.Terminate);
        Line(nameof(record.Runtime), record.Runtime);
        Line("Timeline.Created", record.Timeline.Created);
        Line("Timeline.Pending", record.Timeline.Pending);
        Line("Timeline.Received", record.Timeline.Received);
        Line("Timeline.Started", record.Timeline.Started);
        Line("Timeline.Retried", record.Timeline.Retried);
        Line("Timeline.Finished", record.Timeline.Finished);
        Line("Timeline.Updated", record.Timeline.Updated);
        Line(nameof(record.Version), record.Version);
        return text.ToString();
    }
}
