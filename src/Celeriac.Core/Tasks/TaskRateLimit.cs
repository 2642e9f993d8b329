using System.Globalization;
using Celeriac.Core.Protocol;

namespace Celeriac.Core.Tasks;

/// <summary>
/// How often a worker may start tasks of one name, written as Celery writes it: <c>10/s</c>, <c>100/m</c>,
/// <c>1000/h</c>, or a bare number (per second). Celery applies it per worker, not across workers.
/// </summary>
public sealed record TaskRateLimit
{
    private TaskRateLimit(string text, double perSecond)
    {
        Text = text;
        PerSecond = perSecond;
    }

    /// <summary>The limit as it was given, e.g. <c>10/m</c>; <c>inspect registered</c> shows it.</summary>
    public string Text { get; }

    /// <summary>Tasks per second.</summary>
    public double PerSecond { get; }

    /// <summary>
    /// Parses a limit. Returns null for no limit (null, empty, or a rate of 0, which Celery also treats as none).
    /// </summary>
    /// <exception cref="FormatException">The text is not a rate; the message is Celery's reply to <c>rate_limit</c>.</exception>
    public static TaskRateLimit? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // Celery's rate(): "ops/modifier"; the modifier is looked up before the number is read, so a bad
        // modifier is a KeyError even when the number is bad too.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var ops = slash < 0 ? text : text[..slash];
        var modifier = slash < 0 ? "" : text[(slash + 1)..];
        var seconds = modifier switch
        {
            "" or "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => throw new FormatException($"KeyError({PythonRepr.FormatString(modifier)})"),
        };
        if (!double.TryParse(ops.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var count) || double.IsNaN(count))
        {
            throw new FormatException(
                $"Invalid rate limit string: ValueError({PythonRepr.FormatString($"could not convert string to float: {PythonRepr.FormatString(ops)}")})");
        }

        var perSecond = count / seconds;
        return perSecond > 0 ? new TaskRateLimit(text, perSecond) : null;
    }

    /// <summary>A limit of <paramref name="perSecond"/> tasks per second.</summary>
    public static TaskRateLimit PerSecondOf(double perSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        return new TaskRateLimit(perSecond.ToString(CultureInfo.InvariantCulture), perSecond);
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
