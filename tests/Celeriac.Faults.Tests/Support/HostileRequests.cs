using System.Globalization;
using System.Text;

namespace Celeriac.Faults.Tests.Support;

/// <summary>One hostile HTTP request: method, path and query (already escaped as it goes on the wire), body and content type.</summary>
public sealed record HostileRequest(string Kind, string Method, string PathAndQuery, byte[]? Body, string? ContentType)
{
    /// <summary>A short description for failure messages.</summary>
    public override string ToString() =>
        $"[{Kind}] {Method} {(PathAndQuery.Length > 120 ? PathAndQuery[..120] + "..." : PathAndQuery)} ({Body?.Length.ToString(CultureInfo.InvariantCulture) ?? "no"} bytes, {ContentType ?? "no content type"})";
}

/// <summary>
/// Generates hostile requests from a seed: malformed JSON, wrong types, huge and deeply nested bodies, odd characters
/// and path tricks in names and ids, unknown routes and methods, bad query parameters, wrong content types, and the
/// values only Celery's JSON has (NaN, lone surrogates, big integers). The same seed gives the same requests.
/// </summary>
public sealed class HostileRequests(int seed)
{
    private static readonly string[] s_names = ["tasks.echo", "tasks.noop", "tasks.add", "tasks.fail", "nope", "tasks.echo%0d%0aX:1", "%C3%A9",
        "..%2F..%2Fetc%2Fpasswd", "%00", "tasks.echo%20", "a%2Fb", new string('n', 3000), "%F0%9F%98%80", "%ZZ", "tasks.sleep"];

    private static readonly string[] s_ids = ["%C3%A9", "a%0d%0aSet-Cookie:%20x=1", "%00", "..", "%2E%2E%2F", new string('x', 5000), "%ED%A0%80",
        "00000000-0000-0000-0000-000000000000", "id%20with%20spaces", "%FF%FE", "%22%3E%3Cscript%3E", "\u00e9".Normalize()];

    private static readonly string[] s_queries = ["limit=-1", "limit=0", "limit=abc", "limit=99999999999", "limit=500", "state=BOGUS", "state=",
        "cursor=garbage", "cursor=%00%FF", "from=notadate", "to=2026-13-45", "q=%00", "q=" + new string('q', 4000), "name=%0d%0a", "worker=%C3",
        "limit=1&limit=2", "terminate=maybe", "from=9999-12-31T23:59:59Z&to=0001-01-01T00:00:00Z"];

    private static readonly string?[] s_contentTypes = ["application/json", "text/plain", "application/xml", null, "application/json; charset=latin1",
        "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "*/*"];

    private readonly Random _random = new(seed);

    /// <summary>The next request.</summary>
    public HostileRequest Next()
    {
        return _random.Next(10) switch
        {
            0 => Enqueue("malformed-json", Bytes(Pick(["{", "{\"args\": [1,", "{\"args\": [1]}}", "\"x\"", "nul", "{'args': []}", "{\"args\": [01]}",
                "{\"args\": [1e999999]}", "[\"\\u12\"]", "{\"args\": \"\\q\"}", "\u00ff\u00fe"]))),
            1 => Enqueue("wrong-types", Bytes(Pick(["{\"args\": 1}", "{\"kwargs\": []}", "[1, 2]", "42", "null", "true", "{\"args\": {}}",
                "{\"extra\": 1}", "{\"args\": null, \"kwargs\": null}", "{\"args\": [\"a\", \"b\"]}", "{\"kwargs\": {\"x\": 1, \"y\": \"z\"}}"]))),
            2 => Enqueue("huge", HugeBody()),
            3 => Enqueue("deep", Bytes("{\"args\": [" + Nested(_random.Next(10, 1100)) + "]}"), "tasks.echo"),
            4 => Enqueue("celery-json", Bytes(Pick(["{\"args\": [NaN, Infinity, -Infinity]}", "{\"args\": [\"\\ud800\"]}", "{\"args\": [\"a\\udc00\"]}",
                "{\"args\": [1180591620717411303424, 1]}", "{\"args\": [\"\\u0000\"]}"])), Pick(["tasks.echo", "tasks.add"])),
            5 => Enqueue("invalid-utf8", [(byte)'{', (byte)'"', (byte)'a', (byte)'r', (byte)'g', (byte)'s', (byte)'"', (byte)':', (byte)'[', (byte)'"', 0xC3, 0x28, 0xFF,
                (byte)'"', (byte)']', (byte)'}']),
            6 => new HostileRequest("odd-id", Pick(["GET", "POST"]), "/api/tasks/" + Pick(s_ids) + (_random.Next(2) == 0 ? "" : "/revoke"), null, null),
            7 => new HostileRequest("bad-query", "GET", "/api/tasks?" + Pick(s_queries), null, null),
            8 => new HostileRequest("unknown-route", Pick(["PUT", "DELETE", "PATCH", "GET", "POST", "OPTIONS", "TRACE", "HEAD"]),
                Pick(["/api/tasks", "/api/tasks/x/y/z", "/api", "/", "/api/tasks/tasks.echo/revoke/extra", "/%2e%2e/%2e%2e/etc/passwd", "/api//tasks",
                    "/api/tasks/%2F", "/openapi/v1.json", "/api/tasks/" + new string('z', 9000)]), null, null),
            _ => Enqueue("odd-name", Bytes("{\"args\": []}"), Pick(s_names), Pick(s_contentTypes)),
        };
    }

    private HostileRequest Enqueue(string kind, byte[] body, string? name = null, string? contentType = "application/json") =>
        new(kind, "POST", "/api/tasks/" + (name ?? Pick(["tasks.echo", "tasks.noop", "nope"])), body,
            kind == "odd-name" ? contentType : Pick(s_contentTypes) ?? contentType);

    private byte[] HugeBody()
    {
        // Just under and over the 1 MiB limit, and one that claims to be JSON but is a long run of one byte.
        var size = Pick([1024 * 1024 - 64, 1024 * 1024 + 1, 3 * 1024 * 1024, 200_000]);
        return _random.Next(2) == 0
            ? Bytes("{\"args\": [\"" + new string('x', Math.Max(0, size - 14)) + "\"]}")
            : Enumerable.Repeat((byte)'[', size).ToArray();
    }

    private static string Nested(int depth) => new string('[', depth) + "0" + new string(']', depth);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
