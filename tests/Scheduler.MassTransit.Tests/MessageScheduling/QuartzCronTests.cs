using Scheduler.Core.Definitions;
using Scheduler.MassTransit.MessageScheduling;

namespace Scheduler.MassTransit.Tests.MessageScheduling;

public class QuartzCronTests
{
    [Theory]
    [InlineData("0 0/5 * * * ?", "0 0/5 * * * ?")]
    [InlineData("0 30 9 ? * MON-FRI", "0 30 9 ? * MON-FRI")]
    [InlineData("0 0 12 ? * 2", "0 0 12 ? * 1")] // Quartz 2 = Monday, Cronos 1
    [InlineData("0 0 12 ? * 1,7", "0 0 12 ? * 0,6")] // Sunday and Saturday
    [InlineData("0 0 12 ? * 2-6", "0 0 12 ? * 1-5")]
    [InlineData("0 0 12 ? * 6#3", "0 0 12 ? * 5#3")] // third Friday: the 3 after # is no day
    [InlineData("0 0 12 ? * 6L", "0 0 12 ? * 5L")] // last Friday
    [InlineData("0 0 12 ? * 1/2", "0 0 12 ? * 0/2")] // the step after / is no day
    [InlineData("0 0 12 * * ? *", "0 0 12 * * ?")] // year field '*' dropped
    [InlineData("  0  0 12 L *  ?  ", "0 0 12 L * ?")]
    [InlineData("@daily", "0 0 0 * * *")] // a cron macro, as wherever cron is accepted
    [InlineData("@WEEKLY", "0 0 0 * * 0")]
    [InlineData("@every_second", "* * * * * *")]
    public void ToCronos_ConvertsQuartzFields_WhenValid(string quartz, string cronos) => Assert.Equal(cronos, QuartzCron.ToCronos(quartz));

    [Theory]
    [InlineData("*/5 * * * *", "has 5 fields")]
    [InlineData("", "has 0 fields")]
    [InlineData("0 0 12 * * ? 2030", "names year '2030'")]
    [InlineData("0 0 12 ? * 0", "day of week 0")]
    [InlineData("0 0 12 ? * 8", "day of week 8")]
    [InlineData("@reboot", "macro '@reboot' is not supported")]
    public void ToCronos_Throws_WhenNotQuartzCron(string quartz, string expected)
    {
        var ex = Assert.Throws<TaskValidationException>(() => QuartzCron.ToCronos(quartz));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{quartz}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecurringScheduleIds_AreStable_AndDistinguishGroupAndId()
    {
        var id = RecurringScheduleIds.For("Billing", "daily-report");
        Assert.Equal(id, RecurringScheduleIds.For("Billing", "daily-report"));
        Assert.NotEqual(id, RecurringScheduleIds.For("Billing", "weekly-report"));
        Assert.NotEqual(RecurringScheduleIds.For("a", "b\nc"), RecurringScheduleIds.For("a\nb", "c"));
        Assert.Equal(5, id.Version);
    }
}
