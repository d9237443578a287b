using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Validates <see cref="SchedulerOptions"/> at start: each data-annotation rule, and <see cref="SchedulerOptions.PollInterval"/> at most
/// <see cref="SchedulerOptions.ExecutionWindow"/>. Each failure names the configuration key, the value given and the rule, e.g.
/// <c>Scheduler:PollInterval is 00:00:00.0010000; The field PollInterval must be between 00:00:00.010 and 01:00:00.</c>
/// </summary>
internal sealed class SchedulerOptionsValidator : IValidateOptions<SchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var property in typeof(SchedulerOptions).GetProperties())
        {
            var value = property.GetValue(options);
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateProperty(value, new ValidationContext(options) { MemberName = property.Name }, results))
            {
                failures.AddRange(results.Select(r =>
                    $"{SchedulerOptions.SectionName}:{property.Name} is {Show(value)}; {r.ErrorMessage} Set {SchedulerOptions.SectionName}:{property.Name} (environment variable {SchedulerOptions.SectionName}__{property.Name})."));
            }
        }

        if (Definitions.DestinationQueueName.Validate(options.DefaultDestinationQueue) is { } badQueue)
        {
            failures.Add($"{SchedulerOptions.SectionName}:DefaultDestinationQueue: {badQueue}");
        }

        if (options.PollInterval > options.ExecutionWindow)
        {
            failures.Add($"{SchedulerOptions.SectionName}:PollInterval {Show(options.PollInterval)} exceeds {SchedulerOptions.SectionName}:ExecutionWindow {Show(options.ExecutionWindow)}. " +
                "Poll at most once per execution window: lower PollInterval or raise ExecutionWindow.");
        }

        if (options.DestinationGrace > TimeSpan.Zero && options.DestinationGrace < TimeSpan.FromSeconds(3))
        {
            failures.Add($"{SchedulerOptions.SectionName}:DestinationGrace is {Show(options.DestinationGrace)}; give 0 (no watch) or at least 00:00:03 " +
                "(destinations are checked every third of it).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Show(object? value) => value switch
    {
        null => "empty",
        string text => $"'{text}'",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
