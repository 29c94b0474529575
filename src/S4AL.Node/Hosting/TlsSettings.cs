namespace S4AL.Node.Hosting;

/// <summary>TLS between nodes: the node's certificate with its private key (a PFX file) and whether to skip chain validation (self-signed test certificates only).</summary>
public sealed record TlsSettings(string Pfx, string Password, bool SuppressValidation);
