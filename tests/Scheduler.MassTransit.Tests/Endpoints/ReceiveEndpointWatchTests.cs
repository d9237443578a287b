using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Time.Testing;
using Scheduler.MassTransit.Endpoints;

namespace Scheduler.MassTransit.Tests.Endpoints;

/// <summary>What the readiness check and the watchdog read of the deliveries in flight.</summary>
public sealed class ReceiveEndpointWatchTests
{
    /// <summary>MassTransit can dispose a receive context (its cancellation source with it) without telling the observers that its receive
    /// ended, e.g. a delivery dropped with its channel. Reading such a context's token threw ObjectDisposedException, which ended the
    /// watchdog's background service and so stopped the whole host (seen in a fault-free bus test under load). The watch reads the token
    /// once, when the delivery arrives, and never reads the context again.</summary>
    [Fact]
    public async Task PreReceive_OfADisposedContext_IsNotWatched_AndNothingThrows()
    {
        var watch = new ReceiveEndpointWatch(new FakeTimeProvider());
        await watch.PreReceive(DisposedReceiveContext.Create(new Uri("rabbitmq://localhost/worker")));

        Assert.Empty(watch.NotConsuming());
        Assert.Empty(watch.NotConsuming());
        Assert.Equal(1, DisposedReceiveContext.TokenReads);
    }

    /// <summary>A <see cref="ReceiveContext"/> whose cancellation source was disposed: its token cannot be read.</summary>
    public class DisposedReceiveContext : DispatchProxy
    {
        private static int _tokenReads;
        private Uri _inputAddress = null!;

        public static int TokenReads => Volatile.Read(ref _tokenReads);

        public static ReceiveContext Create(Uri inputAddress)
        {
            var context = DispatchProxy.Create<ReceiveContext, DisposedReceiveContext>();
            ((DisposedReceiveContext)(object)context)._inputAddress = inputAddress;
            return context;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod?.Name)
            {
                case "get_CancellationToken":
                    Interlocked.Increment(ref _tokenReads);
                    var source = new CancellationTokenSource();
                    source.Dispose();
                    return source.Token; // throws ObjectDisposedException, as MassTransit's disposed context does
                case "get_InputAddress":
                    return _inputAddress;
                default:
                    throw new NotSupportedException(targetMethod?.Name);
            }
        }
    }
}
