namespace Scheduler.EntityFrameworkCore;

/// <summary>A row of <see cref="EfTaskStore{TContext}.ActivitySql"/>, as EF Core reads it (settable properties named after the columns).</summary>
internal sealed class ActivitySqlRow
{
    public long Kind { get; set; }

    public long Bucket { get; set; }

    public long Count { get; set; }

    public double TotalMs { get; set; }

    public double MaxMs { get; set; }
}
