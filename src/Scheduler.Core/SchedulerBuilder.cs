using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.Core;

/// <summary>Configures a scheduler node's services; returned by the registration entry point so calls chain.</summary>
public sealed class SchedulerBuilder
{
    internal SchedulerBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Changes the node's <see cref="SchedulerOptions"/>.</summary>
    public SchedulerBuilder Configure(Action<SchedulerOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Keeps tasks in process memory (<see cref="InMemoryTaskStore"/>): for tests and toys; nothing survives a restart.</summary>
    public SchedulerBuilder UseInMemoryStore() => UseStore(_ => new InMemoryTaskStore());

    /// <summary>
    /// Uses a task store of your own (a singleton made by <paramref name="factory"/>), e.g. for another database. It must keep the semantics
    /// documented on <see cref="ITaskStore"/>; <see cref="InMemoryTaskStore"/> is the reference.
    /// </summary>
    public SchedulerBuilder UseStore(Func<IServiceProvider, ITaskStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.RemoveAll<ITaskStore>();
        Services.AddSingleton(factory);
        return this;
    }
}
