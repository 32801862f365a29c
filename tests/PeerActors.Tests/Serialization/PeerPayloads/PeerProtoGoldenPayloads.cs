namespace PeerActors.Tests.Serialization.PeerPayloads;

/// <summary>
/// Committed Protocol Buffers payloads (base64) of every binary peer manifest, exactly as written today from
/// <see cref="PeerProtoSamples"/>. They must keep reading as those values forever, and the serializer must keep writing
/// exactly these bytes: a schema edit that renumbers, retypes or drops a field fails here before it can break a stored
/// journal. Do not regenerate these strings; a real format change is a new manifest version, and these stay.
/// </summary>
public static class PeerProtoGoldenPayloads
{
    public static readonly IReadOnlyDictionary<string, string> ByManifest = new Dictionary<string, string>
    {
        ["peer-flushed-delta.v2"] = "CQD6T5weT98IEYCQ6JweT98IGhIIAxACGAEogCAwrAI4AUABSAEiiQIKsQEKJDBjMjA0MWQxLTM0MWEtNDkwNC1hMGEzLWM5YWQyNWM0ODQzYhEA+k+cHk/fCBgxIC8oATABOcb60FgfBqZAQTQzMzMzM9M/SIQWUU5ju8weT98IWQDj9NEeT98IYPi//R1ogAhxiBVMmYHbf0B5VVVVVVVV1T+BAQAAAAAAAACAiQFOY7vMHk/fCJABApgBA6EBwB481R5P3wioAf///////////wGwAQq4AQHAAQISJQgBEAgZgNarwB5P3wgiCwmA1qvAHk/fCBABKgkJAEATwB5P3wgaHwj4v/0dEIAIGgoIxIQeEOOFHhgHIgkI5YUeEPjekQYiCy9saXZlLzIuMS4wKkUKHwobMTI3LjAuMC4xOjQwNTMvMGExYjJjM2Q0ZTVmECoKIgoaMTAuMC4wLjc6NDA1My9mZmVlZGRjY2JiYWEQgbTEwyF4AQ==",
        ["peer-flushed.v2"] = "CQD6T5weT98IEYCQ6JweT98IGgQ4AkABIooDCrEBCiQwYzIwNDFkMS0zNDFhLTQ5MDQtYTBhMy1jOWFkMjVjNDg0M2IRAPpPnB5P3wgYMSAvKAEwATnG+tBYHwamQEE0MzMzMzPTP0iEFlFOY7vMHk/fCFkA4/TRHk/fCGD4v/0daIAIcYgVTJmB239AeVVVVVVVVdU/gQEAAAAAAAAAgIkBTmO7zB5P3wiQAQKYAQOhAcAePNUeT98IqAH///////////8BsAEKuAEBwAECEngQBxkAQBPAHk/fCCILCQB+J7QeT98IEAEiCQkAQBPAHk/fCDItCQC6Eh3DTN8IEQCdMa4eT98IGIDUtYbTNCABKhAJAHp8R4xN3wgQgMDgmvoUOhEKBmYwMGQ6MREAenxHjE3fCDoRCgZmMDBkOjIRgG4itx5P3wgaNAiA0JGOhgEQ+L/9HRiACCIMCOSFHhCA4esXGIAIIgkI5YUeEPjekQYqCgjEhB4Q44UeGAciDC9jaHVuay8xLjAuMCILL2xpdmUvMi4xLjAqCXN0cmVhbWluZypFCh8KGzEyNy4wLjAuMTo0MDUzLzBhMWIyYzNkNGU1ZhAqCiIKGjEwLjAuMC43OjQwNTMvZmZlZWRkY2NiYmFhEIG0xMMheAE=",
        ["peer-snapshot.v3"] = "CooDCrEBCiQwYzIwNDFkMS0zNDFhLTQ5MDQtYTBhMy1jOWFkMjVjNDg0M2IRAPpPnB5P3wgYMSAvKAEwATnG+tBYHwamQEE0MzMzMzPTP0iEFlFOY7vMHk/fCFkA4/TRHk/fCGD4v/0daIAIcYgVTJmB239AeVVVVVVVVdU/gQEAAAAAAAAAgIkBTmO7zB5P3wiQAQKYAQOhAcAePNUeT98IqAH///////////8BsAEKuAEBwAECEngQBxkAQBPAHk/fCCILCQB+J7QeT98IEAEiCQkAQBPAHk/fCDItCQC6Eh3DTN8IEQCdMa4eT98IGIDUtYbTNCABKhAJAHp8R4xN3wgQgMDgmvoUOhEKBmYwMGQ6MREAenxHjE3fCDoRCgZmMDBkOjIRgG4itx5P3wgaNAiA0JGOhgEQ+L/9HRiACCIMCOSFHhCA4esXGIAIIgkI5YUeEPjekQYqCgjEhB4Q44UeGAciDC9jaHVuay8xLjAuMCILL2xpdmUvMi4xLjAqCXN0cmVhbWluZxIsCQBiFP4mT98IEhhzcGFtOiA0MCBkZWZhdWx0cyBpbiAxIGgZAPpPnB5P3wgaAHgB",
        ["peer-payment.v2"] = "CEARAPpPnB5P3wgaHwobMTI3LjAuMC4xOjQwNTMvMGExYjJjM2Q0ZTVmECp4AQ==",
        ["peer-receipt.v2"] = "CAoRAPpPnB5P3wh4AQ==",
        ["peer-payment-default.v2"] = "CQD6T5weT98IEiIKGjEwLjAuMC43OjQwNTMvZmZlZWRkY2NiYmFhEIG0xMMheAE=",
        ["peer-channel-opened.v2"] = "CgZmMDBkOjIRgG4itx5P3wgaHwobMTI3LjAuMC4xOjQwNTMvMGExYjJjM2Q0ZTVmECp4AQ==",
        ["peer-channel-closed.v2"] = "CgZmMDBkOjERAOP00R5P3wh4AQ==",
    };
}
