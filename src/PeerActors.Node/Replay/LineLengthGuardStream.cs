namespace PeerActors.Node.Replay;

/// <summary>
/// A read-only stream over a CSV file that passes lines through unchanged, except that a line longer than
/// <c>maxLineBytes</c> (without its line break) is replaced by an empty line and reported in <see cref="OverlongLines"/>.
/// The long line is never held in memory: at most <c>maxLineBytes + 2</c> bytes of one line are buffered, the rest is
/// read and dropped. Line numbers are kept (the empty line still counts), and the CSV reader skips empty lines.
/// A line is what ends at <c>\n</c>; the dataset readers do not allow line breaks inside quotes.
/// </summary>
internal sealed class LineLengthGuardStream : Stream
{
    private readonly Stream _inner;
    private readonly int _maxLineBytes;
    private readonly byte[] _in = new byte[64 * 1024];
    private readonly byte[] _line;
    private int _inPos, _inLen, _outPos, _outLen;
    private bool _eof;
    private long _lineNumber;

    /// <summary>Wraps <paramref name="inner"/> (disposed with this stream).</summary>
    /// <param name="inner">The file.</param>
    /// <param name="maxLineBytes">Longest accepted line, bytes.</param>
    public LineLengthGuardStream(Stream inner, int maxLineBytes)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        _maxLineBytes = maxLineBytes;
        _line = new byte[maxLineBytes + 2];
    }

    /// <summary>Lines replaced so far: 1-based line number and length in bytes, in file order.</summary>
    public Queue<(long Line, long Bytes)> OverlongLines { get; } = new();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (_outPos == _outLen)
        {
            if (!NextLine()) return 0;
        }
        var n = Math.Min(buffer.Length, _outLen - _outPos);
        _line.AsSpan(_outPos, n).CopyTo(buffer);
        _outPos += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <summary>Fills <see cref="_line"/> with the next line (or an empty line for an overlong one); false at the end.</summary>
    private bool NextLine()
    {
        _outPos = 0;
        _outLen = 0;
        long length = 0;
        var overflow = false;
        var lastByte = -1;
        var secondLast = -1;
        while (true)
        {
            if (_inPos == _inLen)
            {
                if (_eof) break;
                _inLen = _inner.Read(_in, 0, _in.Length);
                _inPos = 0;
                if (_inLen == 0)
                {
                    _eof = true;
                    break;
                }
            }
            var span = _in.AsSpan(_inPos, _inLen - _inPos);
            var nl = span.IndexOf((byte)'\n');
            var take = nl >= 0 ? nl + 1 : span.Length;
            if (!overflow)
            {
                if (_outLen + take > _line.Length) overflow = true;
                else
                {
                    span[..take].CopyTo(_line.AsSpan(_outLen));
                    _outLen += take;
                }
            }
            secondLast = take >= 2 ? span[take - 2] : lastByte;
            lastByte = span[take - 1];
            length += take;
            _inPos += take;
            if (nl >= 0) break;
        }
        if (length == 0) return false;
        _lineNumber++;
        var content = length;
        if (lastByte == '\n')
        {
            content--;
            if (secondLast == '\r') content--;
        }
        if (overflow || content > _maxLineBytes)
        {
            OverlongLines.Enqueue((_lineNumber, content));
            _line[0] = (byte)'\n';
            _outLen = 1;
        }
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
