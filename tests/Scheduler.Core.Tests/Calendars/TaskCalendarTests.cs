using Scheduler.Core.Calendars;

namespace Scheduler.Core.Tests.Calendars;

/// <summary>Issue #23, item 5: the names calendars are stored under.</summary>
public class TaskCalendarTests
{
    [Theory]
    [InlineData("holidays", true)]
    [InlineData("uk_bank-holidays2", true)]
    [InlineData("Holidays", false)]
    [InlineData("", false)]
    [InlineData("-x", false)]
    [InlineData("a b", false)]
    public void ValidateName_AcceptsLowerCaseWordsOnly(string name, bool valid)
    {
        var ex = Record.Exception(() => TaskCalendar.ValidateName(name));

        Assert.Equal(valid, ex is null);
        if (!valid)
        {
            Assert.Contains($"Calendar name '{name}' is not valid", ex!.Message, StringComparison.Ordinal);
        }
    }
}
