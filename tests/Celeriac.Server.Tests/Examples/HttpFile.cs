using System.Text.Json;
using System.Text.RegularExpressions;

namespace Celeriac.Server.Tests.Examples;

/// <summary>
/// The part of the <c>.http</c> format (VS Code REST Client, JetBrains, Visual Studio) that <c>examples/http/*.http</c>
/// uses: requests separated by <c>###</c>, <c>@name = value</c> variables, <c># @name x</c> to name a request, and
/// <c>{{variable}}</c> and <c>{{x.response.body.$.member}}</c> substitution. Anything else is an error, not a guess.
/// </summary>
public sealed partial class HttpFile
{
    private HttpFile(IReadOnlyDictionary<string, string> variables, IReadOnlyList<HttpFileRequest> requests)
    {
        Variables = variables;
        Requests = requests;
    }

    /// <summary>The file's variables (<c>@baseUrl = ...</c>).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    /// <summary>The requests, in file order.</summary>
    public IReadOnlyList<HttpFileRequest> Requests { get; }

    /// <summary>Reads a file's text.</summary>
    public static HttpFile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var requests = new List<HttpFileRequest>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var start = 0;
        var title = "(before the first ###)";
        for (var i = 0; i <= lines.Length; i++)
        {
            if (i == lines.Length || lines[i].StartsWith("###", StringComparison.Ordinal))
            {
                if (ParseBlock(lines, start, i, title, variables) is { } request)
                {
                    requests.Add(request);
                }

                if (i < lines.Length)
                {
                    title = lines[i][3..].Trim();
                    start = i + 1;
                }
            }
        }

        return new HttpFile(variables, requests);
    }

    /// <summary>Replaces every <c>{{...}}</c> with a variable or a named request's response value.</summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> variables, IReadOnlyDictionary<string, JsonElement> responses)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(responses);
        return Placeholder().Replace(text, match =>
        {
            var name = match.Groups["name"].Value.Trim();
            if (variables.TryGetValue(name, out var value))
            {
                return value;
            }

            // {{request.response.body.$.member.member}}
            var parts = name.Split(".response.body.$.", 2);
            if (parts.Length == 2 && responses.TryGetValue(parts[0], out var body))
            {
                var element = body;
                foreach (var member in parts[1].Split('.'))
                {
                    if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(member, out element))
                    {
                        throw new InvalidOperationException($"{{{{{name}}}}}: the response of '{parts[0]}' has no '{parts[1]}': {body}");
                    }
                }

                return element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
            }

            throw new InvalidOperationException($"{{{{{name}}}}} is neither a variable nor the response of an earlier named request.");
        });
    }

    private static HttpFileRequest? ParseBlock(string[] lines, int start, int end, string title, Dictionary<string, string> variables)
    {
        string? name = null;
        var i = start;
        for (; i < end; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (NameComment().Match(line) is { Success: true } named)
            {
                name = named.Groups["name"].Value;
            }
            else if (Variable().Match(line) is { Success: true } variable)
            {
                variables[variable.Groups["name"].Value] = variable.Groups["value"].Value.Trim();
            }
            else if (!line.StartsWith('#') && !line.StartsWith("//", StringComparison.Ordinal))
            {
                break;
            }
        }

        if (i == end)
        {
            return null;
        }

        var requestLine = RequestLine().Match(lines[i].Trim());
        if (!requestLine.Success)
        {
            throw new FormatException($"Line {i + 1}: expected 'METHOD URL', got '{lines[i]}'.");
        }

        var lineNumber = i + 1;
        var headers = new List<KeyValuePair<string, string>>();
        for (i++; i < end && lines[i].Trim().Length > 0; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new FormatException($"Line {i + 1}: expected a 'Header: value' line, got '{lines[i]}'.");
            }

            headers.Add(new(lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
        }

        var body = string.Join('\n', lines[Math.Min(i + 1, end)..end]).Trim();
        return new HttpFileRequest(title, name, lineNumber, requestLine.Groups["method"].Value, requestLine.Groups["url"].Value, headers,
            body.Length == 0 ? null : body);
    }

    [GeneratedRegex(@"\{\{(?<name>[^}]+)\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^(#|//)\s*@name\s+(?<name>\S+)$")]
    private static partial Regex NameComment();

    [GeneratedRegex(@"^@(?<name>[A-Za-z_][\w-]*)\s*=(?<value>.*)$")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(?<url>\S+)(\s+HTTP/\S+)?$")]
    private static partial Regex RequestLine();
}

/// <summary>One request of a <c>.http</c> file, before substitution.</summary>
/// <param name="Title">The text after its <c>###</c>.</param>
/// <param name="Name">Its <c># @name</c>, if any.</param>
/// <param name="Line">The line of its request line (1-based).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Url">The URL.</param>
/// <param name="Headers">The headers, in order.</param>
/// <param name="Body">The body, if any.</param>
public sealed record HttpFileRequest(string Title, string? Name, int Line, string Method, string Url,
    IReadOnlyList<KeyValuePair<string, string>> Headers, string? Body);
