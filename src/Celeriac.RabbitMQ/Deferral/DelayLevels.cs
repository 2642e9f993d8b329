namespace Celeriac.RabbitMQ.Deferral;

/// <summary>The delay levels: level k holds messages for 2^k seconds, k from 0 to <see cref="Max"/> (about 194 days).</summary>
internal static class DelayLevels
{
    public const int Max = 24;

    /// <summary>The longest level that does not overshoot <paramref name="remaining"/>; level 0 for less than two seconds.</summary>
    public static int For(TimeSpan remaining) =>
        remaining.TotalSeconds < 2 ? 0 : Math.Min(Max, (int)Math.Floor(Math.Log2(remaining.TotalSeconds)));

    public static TimeSpan Duration(int level) => TimeSpan.FromSeconds(1L << level);

    public static string Name(int level) => $"celeriac.delay.{1L << level}s";
}
