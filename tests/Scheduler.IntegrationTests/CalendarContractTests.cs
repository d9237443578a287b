using Scheduler.Core.Calendars;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using Scheduler.Triggers.Calendars;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>Issue #23, item 5: calendars stored with the tasks, on every store: created, replaced and deleted in one transaction with the
/// edits of the tasks that name them, and handed to the planner in the materialize transaction.</summary>
public abstract partial class TaskStoreContractTests
{
    private static readonly CalendarSpec Christmas = new() { Description = "Christmas", Dates = ["2030-12-25"], Cron = ["* 0-6 * * *"], TimeZone = "Europe/Berlin" };

    [Fact]
    public async Task ChangeCalendar_CreatesReplacesAndDeletes_WithVersions_AndSameSpecChangesNothing()
    {
        var created = await Store.ChangeCalendarAsync(CalendarChange("holidays", Christmas, T0));
        var same = await Store.ChangeCalendarAsync(CalendarChange("holidays", Christmas with { Dates = ["2030-12-25"] }, T0.AddMinutes(1)));
        var replaced = await Store.ChangeCalendarAsync(CalendarChange("holidays", Christmas with { RRules = ["FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1"] }, T0.AddMinutes(2)));

        Assert.Equal((true, 1L, T0), (created.Changed, created.Calendar!.Version, created.Calendar.ChangedAt));
        Assert.Equal((false, 1L), (same.Changed, same.Calendar!.Version));
        Assert.Equal((true, 2L, T0, T0.AddMinutes(2)), (replaced.Changed, replaced.Calendar!.Version, replaced.Calendar.CreatedAt, replaced.Calendar.ChangedAt));
        var stored = (await Store.GetCalendarAsync("holidays"))!;
        Assert.True(CalendarSpecs.Equal(Christmas with { RRules = ["FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1"] }, stored.Spec));
        Assert.Equal(["holidays"], (await Store.ListCalendarsAsync()).Select(c => c.Name));

        var deleted = await Store.ChangeCalendarAsync(CalendarChange("holidays", null, T0.AddMinutes(3)));
        Assert.Equal((true, (TaskCalendar?)null), (deleted.Changed, deleted.Calendar));
        Assert.Null(await Store.GetCalendarAsync("holidays"));
        Assert.False((await Store.ChangeCalendarAsync(CalendarChange("holidays", null, T0))).Changed);
    }

    [Fact]
    public async Task ChangeCalendar_EditsTheLiveDefinitionsThatNameIt_TakingBackWhatIsNotBegun_AllOrNothing()
    {
        await Store.ChangeCalendarAsync(CalendarChange("holidays", Christmas, T0));
        var named = Named(Definition(nextFireTime: T0), "holidays");
        var cancelled = Named(Definition(nextFireTime: T0), "holidays");
        var unrelated = Definition(nextFireTime: T0);
        await Store.AddDefinitionsAsync([named, cancelled, unrelated]);
        await Store.CancelDefinitionAsync(cancelled.Id, T0);
        await Store.MaterializeDueDefinitionsAsync(Materialize(T0, d => new MaterializePlan([Instance(d, T0.AddSeconds(5))], T0.AddMinutes(5))));

        // A refusing edit (as a deletion of a named calendar) writes nothing, calendar included.
        await Assert.ThrowsAsync<TaskValidationException>(() => Store.ChangeCalendarAsync(new CalendarChangeRequest
        {
            Name = "holidays", Now = T0.AddMinutes(1), Edit = (_, _) => throw new TaskValidationException("named"),
        }));
        Assert.NotNull(await Store.GetCalendarAsync("holidays"));
        Assert.Single(await Store.GetInstancesAsync(named.Id));

        var seen = new List<(Guid, long?)>();
        var result = await Store.ChangeCalendarAsync(new CalendarChangeRequest
        {
            Name = "holidays", Spec = Christmas with { Dates = ["2030-12-24"] }, Now = T0.AddMinutes(1),
            Edit = (definition, calendar) =>
            {
                seen.Add((definition.Id, calendar?.Version));
                return new DefinitionEdit(definition, TakeBack.Rewind);
            },
        });

        Assert.Equal([named.Id], result.EditedDefinitions);
        Assert.Equal([(named.Id, (long?)2)], seen.Distinct());
        Assert.Empty(await Store.GetInstancesAsync(named.Id)); // taken back, to be planned again under the new calendar
        var rewound = (await Store.GetDefinitionAsync(named.Id))!;
        Assert.Equal((T0.AddSeconds(5), (DateTimeOffset?)T0.AddMinutes(1)), (rewound.NextFireTime!.Value, rewound.ChangedAt));
        Assert.Single(await Store.GetInstancesAsync(unrelated.Id));
    }

    [Fact]
    public async Task Materialize_HandsThePlannerTheCalendarADefinitionNames()
    {
        await Store.ChangeCalendarAsync(CalendarChange("holidays", Christmas, T0));
        var named = Named(Definition(nextFireTime: T0), "holidays");
        var plain = Definition(nextFireTime: T0);
        var missing = Named(Definition(nextFireTime: T0), "gone");
        await Store.AddDefinitionsAsync([named, plain, missing]);
        var handed = new Dictionary<Guid, string?>();

        await Store.MaterializeDueDefinitionsAsync(new MaterializeRequest
        {
            Now = T0, Horizon = T0.AddSeconds(10), MaxDefinitions = 10,
            Plan = (definition, calendar) =>
            {
                handed[definition.Id] = calendar is null ? null : $"{calendar.Name} v{calendar.Version} {calendar.Spec.Description}";
                return new MaterializePlan([], null);
            },
        });

        Assert.Equal("holidays v1 Christmas", handed[named.Id]);
        Assert.Null(handed[plain.Id]);
        Assert.Null(handed[missing.Id]);
        Assert.Equal("holidays", (await Store.GetDefinitionAsync(named.Id))!.Calendar);
    }

    private static CalendarChangeRequest CalendarChange(string name, CalendarSpec? spec, DateTimeOffset now) =>
        new() { Name = name, Spec = spec, Now = now, Edit = (definition, _) => null };

    private static TaskDefinition Named(TaskDefinition definition, string calendar) => new()
    {
        Id = definition.Id, TriggerKind = definition.TriggerKind, Trigger = definition.Trigger, TimeZoneId = definition.TimeZoneId, StartAt = definition.StartAt,
        Metadata = definition.Metadata, Payload = definition.Payload, ExpireAfter = definition.ExpireAfter, Retry = definition.Retry, Misfire = definition.Misfire,
        DestinationQueue = definition.DestinationQueue, CreatedAt = definition.CreatedAt, NextFireTime = definition.NextFireTime, Calendar = calendar,
    };
}
