using Microsoft.Extensions.Options;

namespace Scheduler.AspNetCore.Security;

/// <summary>Checks <see cref="SchedulerAdminOptions"/> at start: every key named, at least 16 characters, names and keys unique, roles known (the keys' and the loopback's).</summary>
internal sealed class SchedulerAdminOptionsValidator : IValidateOptions<SchedulerAdminOptions>
{
    /// <summary>The shortest key accepted.</summary>
    public const int MinKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, SchedulerAdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                failures.Add($"Admin:ApiKeys:{i}:Name is empty. Name every key after who holds it, e.g. 'ops-oncall': the write log names it.");
            }

            if ((key.Key?.Length ?? 0) < MinKeyLength)
            {
                failures.Add($"Admin:ApiKeys:{i}:Key ('{key.Name}') has {key.Key?.Length ?? 0} characters. Give at least {MinKeyLength}, e.g. the output of 'openssl rand -hex 24'.");
            }

            if (!Enum.IsDefined(key.Role))
            {
                failures.Add($"Admin:ApiKeys:{i}:Role ('{key.Name}') is {(int)key.Role}. Use Read or Write.");
            }
        }

        if (!Enum.IsDefined(options.LoopbackRole))
        {
            failures.Add($"Admin:LoopbackRole is {(int)options.LoopbackRole}. Use Read (the default) or Write.");
        }

        failures.AddRange(options.ApiKeys.GroupBy(k => k.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"Two admin API keys are named '{g.Key}'. Give each key its own name."));
        if (options.ApiKeys.GroupBy(k => k.Key, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            failures.Add("Two admin API keys have the same secret. Give each key its own secret.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
