using Kci.Hosting;

namespace Kci.UnitTests.Hosting;

public class When_a_body_is_read_under_a_limit
{
    /// <summary>A stream that hands out its bytes a few at a time and counts what was asked of it.</summary>
    private sealed class TrickleStream(int length) : Stream
    {
        private int _position;
        public int BytesRead => _position;
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 1000), length - _position);
            Array.Fill(buffer, (byte)'x', offset, n);
            _position += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4096)]
    public async Task Should_return_every_byte_up_to_and_including_the_limit(int length)
    {
        var bytes = await BoundedBody.ReadAsync(new TrickleStream(length), null, 4096, CancellationToken.None);

        Assert.NotNull(bytes);
        Assert.Equal(length, bytes!.Length);
    }

    [Fact]
    public async Task Should_refuse_a_declared_length_over_the_limit_before_reading_a_byte()
    {
        var stream = new TrickleStream(10);

        Assert.Null(await BoundedBody.ReadAsync(stream, 4097, 4096, CancellationToken.None));
        Assert.Equal(0, stream.BytesRead);
    }

    [Fact]
    public async Task Should_stop_reading_as_soon_as_an_undeclared_body_passes_the_limit()
    {
        var stream = new TrickleStream(10_000_000);

        Assert.Null(await BoundedBody.ReadAsync(stream, null, 4096, CancellationToken.None));
        Assert.True(stream.BytesRead <= 4096 + 1000, $"read {stream.BytesRead} bytes");
    }
}
