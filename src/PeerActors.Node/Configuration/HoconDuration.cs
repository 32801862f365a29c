using System.Text.RegularExpressions;

namespace PeerActors.Node.Configuration;

/// <summary>
/// Strict parser of HOCON durations: a number followed by an optional unit (ns, us, ms, s, m, h, d
/// and their long forms, e.g. <c>500ms</c>, <c>1s</c>, <c>2 minutes</c>). A bare number is
/// milliseconds (HOCON spec).
/// </summary>
internal static partial class HoconDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (text is null)
            return false;
        var m = Pattern().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return false;
        double? ticksPerUnit = m.Groups[2].Value switch
        {
            "ns" or "nano" or "nanos" or "nanosecond" or "nanoseconds" => TimeSpan.TicksPerMillisecond / 1_000_000.0,
            "us" or "micro" or "micros" or "microsecond" or "microseconds" => TimeSpan.TicksPerMillisecond / 1_000.0,
            "" or "ms" or "milli" or "millis" or "millisecond" or "milliseconds" => TimeSpan.TicksPerMillisecond,
            "s" or "second" or "seconds" => TimeSpan.TicksPerSecond,
            "m" or "minute" or "minutes" => TimeSpan.TicksPerMinute,
            "h" or "hour" or "hours" => TimeSpan.TicksPerHour,
            "d" or "day" or "days" => TimeSpan.TicksPerDay,
            _ => null,
        };
        if (ticksPerUnit is null)
            return false;
        var ticks = number * ticksPerUnit.Value;
        if (double.IsNaN(ticks) || ticks > TimeSpan.MaxValue.Ticks || ticks < TimeSpan.MinValue.Ticks)
            return false;
        value = TimeSpan.FromTicks((long)Math.Round(ticks));
        return true;
    }

    [GeneratedRegex(@"^([+-]?\d+(?:\.\d+)?)\s*([a-z]*)$")]
    private static partial Regex Pattern();
}
