using System.Collections.Concurrent;
using System.Reflection;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// An <see cref="ITaskStore"/> that forwards every call to an inner store and lets a test hold chosen operations at a gate, before or after
/// the inner call, to force one interleaving of a node's loops (e.g. a change committed, its reply not yet sent).
/// </summary>
public class InterceptedStore : DispatchProxy
{
    private static readonly MethodInfo AroundMethod = typeof(InterceptedStore).GetMethod(nameof(AroundAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private readonly ConcurrentDictionary<string, Func<Task>> _before = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<Task>> _after = new(StringComparer.Ordinal);
    private ITaskStore _inner = null!;

    /// <summary>A store forwarding to <paramref name="inner"/>, and the interceptor that controls it.</summary>
    public static (ITaskStore Store, InterceptedStore Control) Wrap(ITaskStore inner)
    {
        var store = Create<ITaskStore, InterceptedStore>();
        var control = (InterceptedStore)(object)store;
        control._inner = inner;
        return (store, control);
    }

    /// <summary>Awaits <paramref name="hook"/> before each call of the store operation named <paramref name="method"/>.</summary>
    public void Before(string method, Func<Task> hook) => _before[method] = hook;

    /// <summary>Awaits <paramref name="hook"/> after each call of the store operation named <paramref name="method"/> has returned, before the
    /// caller gets its result.</summary>
    public void After(string method, Func<Task> hook) => _after[method] = hook;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var before = _before.GetValueOrDefault(targetMethod.Name);
        var after = _after.GetValueOrDefault(targetMethod.Name);
        if (before is null && after is null)
        {
            return Call(targetMethod, args);
        }

        var result = targetMethod.ReturnType.GetGenericArguments().Single();
        return AroundMethod.MakeGenericMethod(result).Invoke(null, [before, (Func<object?>)(() => Call(targetMethod, args)), after]);
    }

    private object? Call(MethodInfo method, object?[]? args)
    {
        try
        {
            return method.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    private static async Task<T> AroundAsync<T>(Func<Task>? before, Func<object?> call, Func<Task>? after)
    {
        if (before is not null)
        {
            await before();
        }

        var result = await (Task<T>)call()!;
        if (after is not null)
        {
            await after();
        }

        return result;
    }
}
