package dev.ra.transport.netty;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS between nodes: every node presents a certificate and trusts only certificates issued by the configured
 * authorities. With {@link #bindNodeIds()} (the default) the certificate's subject common name (or a DNS subject
 * alternative name) must equal the node id claimed in the handshake, so a valid certificate cannot impersonate another
 * node.
 *
 * <p>Either key stores (PKCS12 or JKS) or PEM files (a certificate chain, a PKCS#8 private key, trusted CA
 * certificates). The JDK's TLS engine is used; no extra dependency.
 */
public final class TlsConfig
{
    final Path keyStore;
    final char[] keyStorePassword;
    final Path trustStore;
    final char[] trustStorePassword;
    final Path certificateChainPem;
    final Path privateKeyPem;
    final Path trustedCertificatesPem;
    final boolean bindNodeIds;

    private TlsConfig(final Path keyStore, final char[] keyStorePassword, final Path trustStore,
        final char[] trustStorePassword, final Path certificateChainPem, final Path privateKeyPem,
        final Path trustedCertificatesPem, final boolean bindNodeIds)
    {
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        this.trustStore = trustStore;
        this.trustStorePassword = trustStorePassword;
        this.certificateChainPem = certificateChainPem;
        this.privateKeyPem = privateKeyPem;
        this.trustedCertificatesPem = trustedCertificatesPem;
        this.bindNodeIds = bindNodeIds;
    }

    /**
     * TLS from key stores.
     *
     * @param keyStore           holding this node's private key and certificate chain (PKCS12 or JKS).
     * @param keyStorePassword   of the key store and its key.
     * @param trustStore         holding the trusted CA certificates.
     * @param trustStorePassword of the trust store.
     * @return the configuration, binding certificates to node ids.
     */
    public static TlsConfig fromKeyStores(final Path keyStore, final char[] keyStorePassword, final Path trustStore,
        final char[] trustStorePassword)
    {
        return new TlsConfig(Objects.requireNonNull(keyStore, "keyStore"), keyStorePassword.clone(),
            Objects.requireNonNull(trustStore, "trustStore"), trustStorePassword.clone(), null, null, null, true);
    }

    /**
     * TLS from PEM files.
     *
     * @param certificateChain       this node's certificate chain.
     * @param privateKey             this node's private key (PKCS#8, unencrypted).
     * @param trustedCertificates    the trusted CA certificates.
     * @return the configuration, binding certificates to node ids.
     */
    public static TlsConfig fromPemFiles(final Path certificateChain, final Path privateKey,
        final Path trustedCertificates)
    {
        return new TlsConfig(null, null, null, null, Objects.requireNonNull(certificateChain, "certificateChain"),
            Objects.requireNonNull(privateKey, "privateKey"),
            Objects.requireNonNull(trustedCertificates, "trustedCertificates"), true);
    }

    /**
     * @param bind whether a certificate's common name must equal the node id it claims (default true).
     * @return a copy with that setting.
     */
    public TlsConfig bindNodeIds(final boolean bind)
    {
        return new TlsConfig(keyStore, keyStorePassword, trustStore, trustStorePassword, certificateChainPem,
            privateKeyPem, trustedCertificatesPem, bind);
    }

    /**
     * @return whether certificates are bound to node ids.
     */
    public boolean bindNodeIds()
    {
        return bindNodeIds;
    }
}
