using System.Globalization;
using System.Text;

namespace Scheduler.Benchmarks;

/// <summary>The measured runs of one system on one workload.</summary>
internal sealed record ResultRow(string System, Workload Workload, IReadOnlyList<RunResult> Runs);

/// <summary>Renders the rows as one markdown table: each cell the median of the measured runs, with min–max in brackets.</summary>
internal static class ResultTable
{
    public static string Render(IReadOnlyList<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var withBulk = rows.Any(r => r.Runs.Any(x => x.BulkIntakeRate is not null));
        // The R and B workloads' columns, only when a row has a value for them.
        var extra = Extra.Where(c => rows.Any(r => r.Runs.Any(x => c.Value(x) is not null))).ToList();
        var sb = new StringBuilder();
        sb.Append("| system | workload | runs | scheduled/s |");
        if (withBulk)
        {
            sb.Append(" bulk intake/s |");
        }

        sb.Append(" tasks/s to last start | tasks/s to last recorded | lateness p50 ms | p90 ms | p99 ms | max ms | early | dup | lost |");
        extra.ForEach(c => sb.Append(CultureInfo.InvariantCulture, $" {c.Header} |"));
        sb.AppendLine(" notes |");
        sb.Append("| --- | --- | ---: | ---: |");
        if (withBulk)
        {
            sb.Append(" ---: |");
        }

        sb.Append(" ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        extra.ForEach(_ => sb.Append(" ---: |"));
        sb.AppendLine(" --- |");
        foreach (var row in rows)
        {
            var r = row.Runs;
            sb.Append(CultureInfo.InvariantCulture, $"| {row.System} | {row.Workload.Name} ({row.Workload.Count:N0}) | {r.Count} | {Cell(r, x => x.ScheduleRate, "F0")} |");
            if (withBulk)
            {
                sb.Append(CultureInfo.InvariantCulture, $" {Cell(r, x => x.BulkIntakeRate, "F0")} |");
            }

            sb.Append(CultureInfo.InvariantCulture, $" {Cell(r, x => x.StartRate, "F0")} | {Cell(r, x => x.RecordedRate, "F0")} |");
            sb.Append(CultureInfo.InvariantCulture, $" {Cell(r, x => x.LatenessP50, "F1")} | {Cell(r, x => x.LatenessP90, "F1")} |");
            sb.Append(CultureInfo.InvariantCulture, $" {Cell(r, x => x.LatenessP99, "F1")} | {Cell(r, x => x.LatenessMax, "F1")} |");
            sb.Append(CultureInfo.InvariantCulture, $" {Cell(r, x => x.Early, "F0")} | {Cell(r, x => x.Duplicates, "F0")} | {Cell(r, x => x.Lost, "F0")} |");
            extra.ForEach(c => sb.Append(CultureInfo.InvariantCulture, $" {Cell(r, c.Value, c.Format)} |"));
            var notes = r.SelectMany((x, i) => x.Notes.Select(n => $"run {i + 1}: {n}")).ToList();
            sb.AppendLine(CultureInfo.InvariantCulture, $" {(notes.Count == 0 ? "" : string.Join("; ", notes))} |");
        }

        return sb.ToString();
    }

    private static readonly (string Header, Func<RunResult, double?> Value, string Format)[] Extra =
    [
        ("drain s", x => x.DrainSeconds, "F1"),
        ("CPU %", x => x.CpuPercent, "F0"),
        ("bytes/task", x => x.BytesPerTask, "F0"),
        ("cleanup rows/s", x => x.CleanupRate, "F0"),
    ];

    /// <summary>"median (min–max)" of the runs' values; "n/a" when no run has one; the median alone when all runs agree.</summary>
    private static string Cell(IReadOnlyList<RunResult> runs, Func<RunResult, double?> value, string format)
    {
        var values = runs.Select(value).Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        if (values.Count == 0)
        {
            return "n/a";
        }

        var median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
        var m = median.ToString(format, CultureInfo.InvariantCulture);
        var lo = values[0].ToString(format, CultureInfo.InvariantCulture);
        var hi = values[^1].ToString(format, CultureInfo.InvariantCulture);
        return lo == hi ? m : $"{m} ({lo}–{hi})";
    }
}
