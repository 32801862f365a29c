namespace PeerActors.Node.Replay;

/// <summary>Culture-invariant parsing of the dataset's text values (CSV cells, string-typed Parquet columns).</summary>
internal static class ValueParsers
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz",   // pandas: 2020-07-03 20:25:08.457000+00:00 (fraction optional)
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",      // no offset: taken as UTC (the dataset is UTC)
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    /// <summary>Parses a whole number; accepts a whole-valued decimal such as <c>12.0</c> (pandas writes ints as floats when a column has NaNs).</summary>
    public static bool TryParseLong(string s, out long value)
    {
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            return true;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            return TryWhole(d, out value);
        value = 0;
        return false;
    }

    /// <summary>Converts a finite whole-valued double in the long range.</summary>
    public static bool TryWhole(double d, out long value)
    {
        value = 0;
        if (!double.IsFinite(d) || Math.Floor(d) != d || d < long.MinValue || d >= 9.2e18)
            return false;
        value = (long)d;
        return true;
    }

    /// <summary>Parses a finite or non-finite double (NaN is returned as NaN; the rules decide).</summary>
    public static bool TryParseDouble(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>Parses <c>yyyy-MM-dd HH:mm:ss[.ffffff](+HH:MM|Z|)</c> (space or T); a missing offset means UTC. Returns UTC.</summary>
    public static bool TryParseTimestamp(string s, out DateTimeOffset value)
    {
        if (DateTimeOffset.TryParseExact(s.Trim(), TimestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out value))
        {
            value = value.ToUniversalTime();
            return true;
        }
        return false;
    }

    /// <summary>A Parquet timestamp as UTC: the ticks are taken as UTC whatever the <see cref="DateTime.Kind"/>
    /// (Parquet.Net labels non-UTC-adjusted timestamps <c>Local</c> without shifting them; the dataset is UTC).</summary>
    public static DateTimeOffset AsUtc(DateTime dt) => new(dt.Ticks, TimeSpan.Zero);
}
