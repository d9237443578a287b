namespace Scheduler.Cli.Admin;

/// <summary>Writes rows as a plain-text table: columns padded to their widest cell, two spaces apart, a header row first.</summary>
internal static class TextTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend([.. header]).ToList();
        var widths = header.Select((_, c) => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}
