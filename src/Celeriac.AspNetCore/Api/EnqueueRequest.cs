using System.Globalization;
using System.Text.Json;
using Celeriac.Core.Protocol;

namespace Celeriac.AspNetCore.Api;

/// <summary>
/// The body of <c>POST /api/tasks/{name}</c>, read and checked: the arguments and the sending options a Celery caller
/// passes to <c>apply_async</c> (<c>countdown</c> or <c>eta</c>, <c>expires</c>, <c>link</c>, <c>link_error</c>), so
/// an HTTP caller has what the .NET and Python clients have.
/// </summary>
internal sealed record EnqueueRequest
{
    private static readonly HashSet<string> s_properties = ["args", "kwargs", "countdown", "eta", "expires", "link", "link_error"];
    private static readonly HashSet<string> s_signatureProperties = ["task", "args", "kwargs", "options", "immutable", "subtask_type"];

    /// <summary>The described properties, for error messages.</summary>
    public const string Shape =
        "{\"args\": [...], \"kwargs\": {...}, \"countdown\": seconds, \"eta\": \"ISO 8601\", \"expires\": seconds or \"ISO 8601\", \"link\": signature(s), \"link_error\": signature(s)}";

    public JsonElement Args { get; private init; } = CeleryJson.EmptyArray;

    public JsonElement Kwargs { get; private init; } = CeleryJson.EmptyObject;

    /// <summary>Not run before this time (from <c>eta</c>, or now plus <c>countdown</c>).</summary>
    public DateTimeOffset? Eta { get; private init; }

    /// <summary>Revoked if not started by this time (an absolute time, or now plus seconds).</summary>
    public DateTimeOffset? Expires { get; private init; }

    /// <summary>Celery signatures sent after SUCCESS with the result prepended; null for none.</summary>
    public JsonElement? Link { get; private init; }

    /// <summary>Celery signatures sent after FAILURE with the task id; null for none.</summary>
    public JsonElement? LinkError { get; private init; }

    /// <summary>The task names the links name, for the caller to check they exist.</summary>
    public IReadOnlyList<string> LinkedTasks { get; private init; } = [];

    /// <summary>The workflow part of the message.</summary>
    public TaskEmbed Embed => Link is null && LinkError is null ? TaskEmbed.None : new TaskEmbed(Link, LinkError, null, null);

    /// <summary>Reads <paramref name="body"/>; an empty body is a task without arguments.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> body, DateTimeOffset now, out EnqueueRequest request, out string error)
    {
        request = new EnqueueRequest();
        error = "";
        if (body.IsEmpty)
        {
            return true;
        }

        JsonElement root;
        try
        {
            // As the worker reads it (CeleryJson.Parse): valid UTF-8, nested no deeper than it reads, NaN and Infinity
            // as Celery's JSON writes them. Whatever is accepted here is readable by the worker, the store and the listing.
            using var document = CeleryJson.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            error = $"The body is not valid JSON: {ex.Message}";
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            error = $"The body must be a JSON object: {Shape}.";
            return false;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (!s_properties.Contains(property.Name))
            {
                error = $"'{property.Name}' is not supported; the body may hold only {Shape}.";
                return false;
            }
        }

        JsonElement? Get(string name) => root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

        var args = Get("args") ?? CeleryJson.EmptyArray;
        var kwargs = Get("kwargs") ?? CeleryJson.EmptyObject;
        if (args.ValueKind != JsonValueKind.Array)
        {
            error = "\"args\" must be a JSON array.";
            return false;
        }

        if (kwargs.ValueKind != JsonValueKind.Object)
        {
            error = "\"kwargs\" must be a JSON object.";
            return false;
        }

        if (!TryReadEta(Get("countdown"), Get("eta"), now, out var eta, out error)
            || !TryReadExpires(Get("expires"), now, out var expires, out error)
            || !TryReadSignatures("link", Get("link"), out var link, out var linked, out error)
            || !TryReadSignatures("link_error", Get("link_error"), out var linkError, out var linkedOnError, out error))
        {
            return false;
        }

        request = new EnqueueRequest
        {
            Args = args, Kwargs = kwargs, Eta = eta, Expires = expires, Link = link, LinkError = linkError,
            LinkedTasks = [.. linked, .. linkedOnError],
        };
        return true;
    }

    private static bool TryReadEta(JsonElement? countdown, JsonElement? eta, DateTimeOffset now, out DateTimeOffset? result, out string error)
    {
        result = null;
        error = "";
        if (countdown is not null && eta is not null)
        {
            error = "Give \"countdown\" or \"eta\", not both.";
            return false;
        }

        if (countdown is { } c)
        {
            if (!TrySeconds(c, out var value) || value < 0)
            {
                error = "\"countdown\" must be a number of seconds, not negative.";
                return false;
            }

            result = now + TimeSpan.FromSeconds(value);
            return true;
        }

        if (eta is { } e)
        {
            if (!TryTime(e, out var at))
            {
                error = "\"eta\" must be an ISO 8601 time with its offset, e.g. \"2026-12-01T10:00:00Z\".";
                return false;
            }

            result = at;
        }

        return true;
    }

    private static bool TryReadExpires(JsonElement? expires, DateTimeOffset now, out DateTimeOffset? result, out string error)
    {
        result = null;
        error = "";
        if (expires is not { } e)
        {
            return true;
        }

        // As apply_async(expires=...): seconds from now, or a time.
        if (TrySeconds(e, out var seconds) && seconds > 0)
        {
            result = now + TimeSpan.FromSeconds(seconds);
            return true;
        }

        if (e.ValueKind == JsonValueKind.String && TryTime(e, out var at))
        {
            result = at;
            return true;
        }

        error = "\"expires\" must be a positive number of seconds or an ISO 8601 time with its offset.";
        return false;
    }

    /// <summary>One Celery signature (<c>{"task": "tasks.add", "args": [10]}</c>) or an array of them, as <c>link=</c> takes.</summary>
    private static bool TryReadSignatures(string property, JsonElement? value, out JsonElement? result, out List<string> names, out string error)
    {
        result = null;
        names = [];
        error = "";
        if (value is not { } v)
        {
            return true;
        }

        var items = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToArray() : [v];
        var signatures = new List<Dictionary<string, object?>>(items.Length);
        foreach (var item in items)
        {
            if (!TryReadSignature(item, out var signature, out var name))
            {
                error = $"\"{property}\" must be a signature or an array of them: {{\"task\": \"name\", \"args\": [...], \"kwargs\": {{...}}, \"immutable\": false, \"options\": {{...}}}}.";
                return false;
            }

            names.Add(name);
            signatures.Add(signature);
        }

        result = signatures.Count == 0 ? null : CeleryJson.ToElement(signatures);
        return true;
    }

    private static bool TryReadSignature(JsonElement item, out Dictionary<string, object?> signature, out string name)
    {
        signature = [];
        name = "";
        if (item.ValueKind != JsonValueKind.Object || item.EnumerateObject().Any(p => !s_signatureProperties.Contains(p.Name))
            || !item.TryGetProperty("task", out var task) || task.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(task.GetString()))
        {
            return false;
        }

        JsonElement Part(string key, JsonElement empty) =>
            item.TryGetProperty(key, out var part) && part.ValueKind != JsonValueKind.Null ? part : empty;

        var args = Part("args", CeleryJson.EmptyArray);
        var kwargs = Part("kwargs", CeleryJson.EmptyObject);
        var options = Part("options", CeleryJson.EmptyObject);
        var immutable = item.TryGetProperty("immutable", out var i) ? i : CeleryJson.ToElement(false);
        if (args.ValueKind != JsonValueKind.Array || kwargs.ValueKind != JsonValueKind.Object || options.ValueKind != JsonValueKind.Object
            || immutable.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return false;
        }

        name = task.GetString()!;
        // Celery's own signature dict, as a Python caller's link= puts it in the message.
        signature = new Dictionary<string, object?>
        {
            ["task"] = name, ["args"] = args, ["kwargs"] = kwargs, ["options"] = options,
            ["subtask_type"] = null, ["immutable"] = immutable.GetBoolean(),
        };
        return true;
    }

    private static bool TrySeconds(JsonElement value, out double seconds)
    {
        seconds = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out seconds) && double.IsFinite(seconds)
            && seconds <= TimeSpan.MaxValue.TotalSeconds / 2;
    }

    private static bool TryTime(JsonElement value, out DateTimeOffset time)
    {
        time = default;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        // An offset is required: a time without one would mean the server's zone, which the caller cannot see.
        return text is not null && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal))
            && text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }
}
