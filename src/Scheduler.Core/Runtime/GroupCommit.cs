using System.Threading.Channels;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Group commit: callers hand in one item each and await its result; the items that arrive while a batch is being written are written
/// together as the next batch, in one call of the batch function (one database round trip). No timer: under light load a batch holds one
/// item and adds no latency; under load batches grow by themselves, as in a database's group commit of its log.
/// </summary>
/// <remarks>
/// The runner loop records dispatches this way, and the task instance saga loads and saves its rows this way, so work that arrives together
/// is stored together. When the batch function throws, every item of that batch fails with its exception (callers retry as they would a
/// failed single write). Disposing stops the writers once the items already handed in are written.
/// </remarks>
/// <typeparam name="TItem">What one caller hands in.</typeparam>
/// <typeparam name="TResult">What one caller gets back.</typeparam>
internal sealed class GroupCommit<TItem, TResult> : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> _writeBatch;
    private readonly int _maxBatchSize;
    private readonly Channel<(TItem Item, TaskCompletionSource<TResult> Result)> _pending =
        Channel.CreateUnbounded<(TItem, TaskCompletionSource<TResult>)>(new UnboundedChannelOptions { AllowSynchronousContinuations = false });
    private readonly Task[] _writers;

    /// <summary>Starts the writers.</summary>
    /// <param name="writeBatch">Writes a batch and returns one result per item, in order.</param>
    /// <param name="maxBatchSize">Most items per batch; 1 or more.</param>
    /// <param name="writers">How many batches may be written at once (1 or more): 2 lets the next batch form and go while one is in flight.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatchSize"/> or <paramref name="writers"/> is less than 1.</exception>
    public GroupCommit(Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlyList<TResult>>> writeBatch, int maxBatchSize = 1000, int writers = 2)
    {
        ArgumentNullException.ThrowIfNull(writeBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        _writeBatch = writeBatch;
        _maxBatchSize = maxBatchSize;
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    /// <summary>Hands in <paramref name="item"/> and completes with its result once the batch that carries it is written.</summary>
    /// <exception cref="ObjectDisposedException">The group commit was disposed.</exception>
    public Task<TResult> WriteAsync(TItem item)
    {
        var result = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((item, result)))
        {
            throw new ObjectDisposedException(nameof(GroupCommit<TItem, TResult>), "The group commit was stopped; nothing more can be written.");
        }

        return result.Task;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_writers).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<(TItem Item, TaskCompletionSource<TResult> Result)>(_maxBatchSize);
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatchSize && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                var results = await _writeBatch(batch.ConvertAll(p => p.Item), CancellationToken.None).ConfigureAwait(false);
                for (var n = 0; n < batch.Count; n++)
                {
                    batch[n].Result.TrySetResult(results[n]);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Result.TrySetException(ex);
                }
            }
        }
    }
}
