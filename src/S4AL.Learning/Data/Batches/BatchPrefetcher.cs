using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using S4AL.Learning.Data.Datasets;
using S4AL.Learning.Data.Regions;
using static TorchSharp.torch;

namespace S4AL.Learning.Data.Batches;

/// <summary>
/// Produces batches on a background task, a bounded number ahead of the consumer, so the
/// training loop does not wait for decoding and normalization. The consumer owns (and must
/// dispose) each batch it takes. An exception in the producer is rethrown by the consumer's
/// next call, after the batches made before it. Disposing stops the producer and disposes
/// the batches still queued.
/// </summary>
public sealed class BatchPrefetcher : IDisposable
{
    public const int DefaultCapacity = 3;

    readonly Channel<SegmentationBatch> _channel;
    readonly CancellationTokenSource _stop = new();
    readonly Func<CancellationToken, SegmentationBatch> _produce;
    readonly Task _producer;
    int _disposed;

    /// <param name="produce">Makes the next batch; called repeatedly on one background task, never concurrently.</param>
    /// <param name="capacity">Batches kept ready (the producer holds at most one more while it waits).</param>
    public BatchPrefetcher(Func<CancellationToken, SegmentationBatch> produce, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(produce);
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), $"prefetch capacity {capacity} must be positive");
        Capacity = capacity;
        _produce = produce;
        _channel = Channel.CreateBounded<SegmentationBatch>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _producer = Task.Run(ProduceAsync);
    }

    /// <summary>
    /// A prefetcher of batches of <paramref name="batchSize"/> images drawn from <paramref name="sampler"/>,
    /// labels revealed per <paramref name="labeled"/> (null: all).
    /// </summary>
    public static BatchPrefetcher ForDataset(ISegmentationDataset dataset, IndexSampler sampler, int batchSize, LabeledRegionSet? labeled,
        Device device, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(sampler);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size {batchSize} must be positive");
        return new BatchPrefetcher(ct => BatchBuilder.Build(dataset, sampler.NextBatch(batchSize), labeled, device, ct), capacity);
    }

    public int Capacity { get; }

    /// <summary>Takes the next batch, waiting for it if none is ready.</summary>
    public SegmentationBatch Next(CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_channel.Reader.TryRead(out var ready)) return ready;
        return NextAsync(cancellation).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Takes the next batch, waiting asynchronously if none is ready.</summary>
    public async ValueTask<SegmentationBatch> NextAsync(CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return await _channel.Reader.ReadAsync(cancellation).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            if (e.InnerException != null) ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw new ObjectDisposedException(nameof(BatchPrefetcher), "the prefetcher was disposed while waiting for a batch");
        }
    }

    async Task ProduceAsync()
    {
        var ct = _stop.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var batch = _produce(ct);
                try
                {
                    await _channel.Writer.WriteAsync(batch, ct).ConfigureAwait(false);
                }
                catch
                {
                    batch.Dispose();
                    throw;
                }
            }
            _channel.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _channel.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _channel.Writer.TryComplete(e);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _producer.Wait(); // never faults: ProduceAsync catches everything
        while (_channel.Reader.TryRead(out var batch)) batch.Dispose();
        _stop.Dispose();
    }
}
