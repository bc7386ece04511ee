using Microsoft.EntityFrameworkCore;

namespace Kci.Hosting.Persistence;

/// <summary>Wakes the relay of <typeparamref name="TDb"/> as soon as a transaction with outbox rows commits.</summary>
public sealed class OutboxSignal<TDb> : IDisposable where TDb : DbContext
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        if (_pending.CurrentCount == 0)
        {
            try { _pending.Release(); }
            catch (SemaphoreFullException) { /* another commit already woke the relay */ }
        }
    }

    /// <returns>true when woken by a commit, false when <paramref name="timeout"/> passed.</returns>
    public void Dispose() => _pending.Dispose();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _pending.WaitAsync(timeout, cancellationToken);
}
