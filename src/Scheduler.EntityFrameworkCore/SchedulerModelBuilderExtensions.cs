using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.EntityFrameworkCore;

/// <summary>Maps Scheduler's entities into a DbContext's model, so an application's own DbContext can own the scheduler tables.</summary>
public static class SchedulerModelBuilderExtensions
{
    /// <summary>Name of the task definitions table.</summary>
    public const string DefinitionsTable = Core.Storage.SqlValues.TaskDefinitions;

    /// <summary>Name of the task instances table.</summary>
    public const string InstancesTable = Core.Storage.SqlValues.TaskInstances;

    /// <summary>Name of the calendars table (tasks name a calendar in <c>task_definitions.calendar</c>).</summary>
    public const string CalendarsTable = "scheduler_calendars";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    /// <summary>
    /// Adds <see cref="TaskDefinition"/> (table <c>task_definitions</c>), <see cref="TaskInstance"/> (table <c>task_instances</c>) and
    /// <see cref="TaskAttempt"/> (table <c>task_attempts</c>, the attempt history) with
    /// snake_case columns. On SQLite instants are stored as UTC ticks and durations as ticks (INTEGER), so comparisons and ORDER BY are exact;
    /// on PostgreSQL and CockroachDB as <c>timestamptz</c> and <c>interval</c>. Metadata and retry policy are JSON text.
    /// </summary>
    /// <remarks>Call from <c>OnModelCreating</c>. The tables are created by the store's versioned migration scripts (<c>EnsureSchemaAsync</c>, <c>scheduler db migrate</c>), not by EF migrations.</remarks>
    /// <param name="modelBuilder">The model builder of the context's <c>OnModelCreating</c>.</param>
    /// <param name="database">The engine the context talks to.</param>
    /// <returns><paramref name="modelBuilder"/>, so calls chain.</returns>
    public static ModelBuilder AddSchedulerEntities(this ModelBuilder modelBuilder, SchedulerDatabase database)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        var sqlite = database == SchedulerDatabase.Sqlite;

        modelBuilder.Entity<TaskDefinition>(d =>
        {
            d.ToTable(DefinitionsTable);
            d.HasKey(x => x.Id);
            MapId(d.Property(x => x.Id).HasColumnName("id"), sqlite);
            d.Property(x => x.TriggerKind).HasColumnName("trigger_kind");
            d.Property(x => x.Trigger).HasColumnName("trigger_expression");
            d.Property(x => x.TriggerPhrase).HasColumnName("trigger_phrase");
            d.Property(x => x.TimeZoneId).HasColumnName("time_zone_id");
            MapTime(d.Property(x => x.StartAt).HasColumnName("start_at"), sqlite);
            d.Property(x => x.Metadata).HasColumnName("metadata").HasConversion(MetadataConverter, MetadataComparer);
            d.Property(x => x.Payload).HasColumnName("payload");
            MapDuration(d.Property(x => x.ExpireAfter).HasColumnName("expire_after"), sqlite);
            d.Property(x => x.Retry).HasColumnName("retry").HasConversion(RetryConverter);
            d.Property(x => x.Misfire).HasColumnName("misfire");
            d.Property(x => x.Overlap).HasColumnName("overlap");
            MapDuration(d.Property(x => x.Jitter).HasColumnName("jitter"), sqlite);
            d.Property(x => x.Calendar).HasColumnName("calendar");
            MapTime(d.Property(x => x.EndAt).HasColumnName("end_at"), sqlite);
            d.Property(x => x.MaxOccurrences).HasColumnName("max_occurrences");
            MapTime(d.Property(x => x.LastFireTime).HasColumnName("last_fire_time"), sqlite);
            d.Ignore(x => x.End);
            d.Property(x => x.DestinationQueue).HasColumnName("destination_queue");
            d.Property(x => x.IdempotencyKey).HasColumnName("idempotency_key");
            d.Property(x => x.TraceParent).HasColumnName("trace_parent");
            MapTime(d.Property(x => x.CreatedAt).HasColumnName("created_at"), sqlite);
            MapTime(d.Property(x => x.NextFireTime).HasColumnName("next_fire_time"), sqlite);
            MapTime(d.Property(x => x.CancelledAt).HasColumnName("cancelled_at"), sqlite);
            MapTime(d.Property(x => x.PausedAt).HasColumnName("paused_at"), sqlite);
            MapTime(d.Property(x => x.ChangedAt).HasColumnName("changed_at"), sqlite);
            d.Ignore(x => x.State);
            d.Ignore(x => x.AppliedOverlap);
            d.Property(x => x.Version).HasColumnName("version");
        });

        modelBuilder.Entity<TaskInstance>(i =>
        {
            i.ToTable(InstancesTable);
            i.HasKey(x => x.Id);
            MapId(i.Property(x => x.Id).HasColumnName("id"), sqlite);
            MapId(i.Property(x => x.DefinitionId).HasColumnName("definition_id"), sqlite);
            MapTime(i.Property(x => x.FireTime).HasColumnName("fire_time"), sqlite);
            MapDuration(i.Property(x => x.Jitter).HasColumnName("jitter"), sqlite);
            i.Property(x => x.Status).HasColumnName("status");
            i.Property(x => x.Attempt).HasColumnName("attempt");
            MapTime(i.Property(x => x.DueAt).HasColumnName("due_at"), sqlite);
            MapDuration(i.Property(x => x.ExpireAfter).HasColumnName("expire_after"), sqlite);
            i.Property(x => x.Retry).HasColumnName("retry").HasConversion(RetryConverter);
            // Raised by a requeue (TaskInstanceLifecycle.Requeue); read through the property, which falls back to Retry before it is set.
            i.Property(x => x.MaxAttempts).HasColumnName("max_attempts").UsePropertyAccessMode(PropertyAccessMode.Property);
            i.Property(x => x.LeaseOwner).HasColumnName("lease_owner");
            MapTime(i.Property(x => x.LeaseExpiresAt).HasColumnName("lease_expires_at"), sqlite);
            MapTime(i.Property(x => x.DispatchedAt).HasColumnName("dispatched_at"), sqlite);
            MapTime(i.Property(x => x.StartedAt).HasColumnName("started_at"), sqlite);
            MapTime(i.Property(x => x.CompletedAt).HasColumnName("completed_at"), sqlite);
            MapTime(i.Property(x => x.ReportedCompletedAt).HasColumnName("reported_completed_at"), sqlite);
            MapTime(i.Property(x => x.FailedAt).HasColumnName("failed_at"), sqlite);
            MapTime(i.Property(x => x.FinishedAt).HasColumnName("finished_at"), sqlite);
            i.Property(x => x.LastError).HasColumnName("last_error");
            i.Ignore(x => x.HasBegun);
            i.Ignore(x => x.IsFinal);
            i.Property(x => x.Version).HasColumnName("version");
            i.HasIndex(x => new { x.DefinitionId, x.FireTime }).IsUnique();
        });

        modelBuilder.Entity<TaskAttempt>(a =>
        {
            a.ToTable(Core.Storage.SqlValues.TaskAttempts);
            a.HasKey(x => new { x.InstanceId, x.Attempt });
            MapId(a.Property(x => x.InstanceId).HasColumnName("instance_id"), sqlite);
            a.Property(x => x.Attempt).HasColumnName("attempt");
            a.Property(x => x.ClaimedBy).HasColumnName("claimed_by");
            MapTime(a.Property(x => x.ClaimedAt).HasColumnName("claimed_at"), sqlite);
            MapTime(a.Property(x => x.DispatchedAt).HasColumnName("dispatched_at"), sqlite);
            MapTime(a.Property(x => x.StartedAt).HasColumnName("started_at"), sqlite);
            MapTime(a.Property(x => x.FinishedAt).HasColumnName("finished_at"), sqlite);
            a.Property(x => x.Outcome).HasColumnName("outcome");
            a.Property(x => x.Error).HasColumnName("error");
            a.Property(x => x.Worker).HasColumnName("worker");
        });

        modelBuilder.Entity<Core.Calendars.TaskCalendar>(c =>
        {
            c.ToTable(CalendarsTable);
            c.HasKey(x => x.Name);
            c.Property(x => x.Name).HasColumnName("name");
            c.Property(x => x.Spec).HasColumnName("definition").HasConversion(CalendarSpecConverter, CalendarSpecComparer);
            c.Property(x => x.Version).HasColumnName("version");
            MapTime(c.Property(x => x.CreatedAt).HasColumnName("created_at"), sqlite);
            MapTime(c.Property(x => x.ChangedAt).HasColumnName("changed_at"), sqlite);
        });

        return modelBuilder;
    }

    private static readonly ValueConverter<Triggers.Calendars.CalendarSpec, string> CalendarSpecConverter = new(
        v => JsonSerializer.Serialize(v, Json),
        v => JsonSerializer.Deserialize<Triggers.Calendars.CalendarSpec>(v, Json) ?? new Triggers.Calendars.CalendarSpec());

    private static readonly ValueComparer<Triggers.Calendars.CalendarSpec> CalendarSpecComparer = new(
        (a, b) => a == b || (a != null && b != null && Triggers.Calendars.CalendarSpecs.Equal(a, b)),
        v => v.Dates.Count,
        v => v);

    /// <summary>SQLite: the id as upper-case "D" text (EF's own SQLite format), which raw SQL parameters must match.</summary>
    internal static string SqliteId(Guid id) => id.ToString("D").ToUpperInvariant();

    internal static string SerializeMetadata(IReadOnlyDictionary<string, string> metadata) => JsonSerializer.Serialize(metadata, Json);

    internal static string SerializeRetry(RetryPolicy retry) => JsonSerializer.Serialize(retry, Json);

    private static readonly ValueConverter<IReadOnlyDictionary<string, string>, string> MetadataConverter = new(
        v => SerializeMetadata(v),
        v => JsonSerializer.Deserialize<Dictionary<string, string>>(v, Json) ?? new Dictionary<string, string>());

    private static readonly ValueComparer<IReadOnlyDictionary<string, string>> MetadataComparer = new(
        (a, b) => a == b || (a != null && b != null && a.Count == b.Count && a.All(p => b.ContainsKey(p.Key) && b[p.Key] == p.Value)),
        v => v.Count,
        v => v);

    private static readonly ValueConverter<RetryPolicy, string> RetryConverter = new(
        v => SerializeRetry(v),
        v => JsonSerializer.Deserialize<RetryPolicy>(v, Json) ?? RetryPolicy.Default);

    private static void MapId(PropertyBuilder<Guid> property, bool sqlite)
    {
        if (sqlite)
        {
            property.HasConversion(v => SqliteId(v), v => Guid.Parse(v));
        }
    }

    private static void MapTime(PropertyBuilder<DateTimeOffset> property, bool sqlite)
    {
        if (sqlite)
        {
            property.HasConversion(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
        }
        else
        {
            property.HasConversion(v => v.ToUniversalTime(), v => v);
        }
    }

    private static void MapTime(PropertyBuilder<DateTimeOffset?> property, bool sqlite)
    {
        if (sqlite)
        {
            property.HasConversion<long?>(v => v.HasValue ? v.Value.UtcTicks : null, v => v.HasValue ? new DateTimeOffset(v.Value, TimeSpan.Zero) : null);
        }
        else
        {
            property.HasConversion(v => v.HasValue ? v.Value.ToUniversalTime() : v, v => v);
        }
    }

    private static void MapDuration(PropertyBuilder<TimeSpan> property, bool sqlite)
    {
        if (sqlite)
        {
            property.HasConversion(v => v.Ticks, v => TimeSpan.FromTicks(v));
        }
    }

    private static void MapDuration(PropertyBuilder<TimeSpan?> property, bool sqlite)
    {
        if (sqlite)
        {
            property.HasConversion<long?>(v => v.HasValue ? v.Value.Ticks : null, v => v.HasValue ? TimeSpan.FromTicks(v.Value) : null);
        }
    }
}
