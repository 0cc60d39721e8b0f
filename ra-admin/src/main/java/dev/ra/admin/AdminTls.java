package dev.ra.admin;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Server TLS contexts for {@link AdminServer.Builder#tls}, from the same material as the transport's TLS
 * ({@code dev.ra.transport.netty.TlsConfig}): the node's key store, or its PEM certificate chain and PKCS#8 private
 * key. The JDK's TLS engine is used, as in the transport. Clients (browsers, Prometheus) are not asked for a
 * certificate: use a token as well to control who reads.
 */
public final class AdminTls
{
    private AdminTls()
    {
    }

    /**
     * @param keyStore         holding the node's private key and certificate chain (PKCS12, or JKS by its
     *                         {@code .jks} name), as given to the transport.
     * @param keyStorePassword of the key store and its key.
     * @return the server context.
     * @throws IllegalArgumentException if the material is invalid; {@link UncheckedIOException} if unreadable.
     */
    public static SslContext fromKeyStore(final Path keyStore, final char[] keyStorePassword)
    {
        requireFile(keyStore, "key store");
        try (InputStream in = Files.newInputStream(keyStore))
        {
            final KeyStore store = KeyStore.getInstance(keyStore.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            store.load(in, keyStorePassword);
            if (!hasPrivateKey(store))
            {
                // The JDK would make a context without a key: every client's handshake would fail, unseen.
                throw new IllegalArgumentException("the admin endpoint's key store " + keyStore + " holds no private " +
                    "key (a trust store?): it needs the node's key and certificate chain, as the transport's " +
                    "tls.keystore");
            }
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, keyStorePassword);
            return SslContextBuilder.forServer(keys).sslProvider(SslProvider.JDK).build();
        }
        catch (final IOException ex)
        {
            // The JDK reports a wrong password as an IOException too: its words say which.
            throw new UncheckedIOException("cannot read the admin endpoint's key store " + keyStore + ": " +
                ex.getMessage(), ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("invalid key store " + keyStore + " for the admin endpoint: " +
                ex.getMessage(), ex);
        }
    }

    /**
     * What the endpoint's client trusts when it asks peers that serve HTTPS ({@link AdminServer.Builder#peerTrust}):
     * the certificates of a trust store, as the transport's {@code tls.truststore}.
     *
     * @param trustStore         PKCS12, or JKS by its {@code .jks} name.
     * @param trustStorePassword of the trust store.
     * @return a client context trusting them.
     * @throws IllegalArgumentException if the material is invalid; {@link UncheckedIOException} if unreadable.
     */
    public static SSLContext peerTrustFromKeyStore(final Path trustStore, final char[] trustStorePassword)
    {
        requireFile(trustStore, "trust store");
        try (InputStream in = Files.newInputStream(trustStore))
        {
            final KeyStore store = KeyStore.getInstance(trustStore.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            store.load(in, trustStorePassword);
            return trusting(store);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the admin endpoint's trust store " + trustStore + ": " +
                ex.getMessage(), ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("invalid trust store " + trustStore + " for the admin endpoint: " +
                ex.getMessage(), ex);
        }
    }

    /**
     * As {@link #peerTrustFromKeyStore}, from PEM certificates (the transport's {@code tls.trust}).
     *
     * @param certificates the certificate authorities to trust (PEM).
     * @return a client context trusting them.
     * @throws IllegalArgumentException if the material is invalid; {@link UncheckedIOException} if unreadable.
     */
    public static SSLContext peerTrustFromPem(final Path certificates)
    {
        requireFile(certificates, "trusted certificates");
        try (InputStream in = Files.newInputStream(certificates))
        {
            final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int next = 0;
            for (final Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in))
            {
                store.setCertificateEntry("ca-" + next++, certificate);
            }
            if (0 == next)
            {
                throw new IllegalArgumentException("no certificate in " + certificates + " for the admin endpoint");
            }
            return trusting(store);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the admin endpoint's trusted certificates " + certificates +
                ": " + ex.getMessage(), ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("invalid certificates " + certificates + " for the admin endpoint: " +
                ex.getMessage(), ex);
        }
    }

    /**
     * A file that is missing or unreadable is said to be so, by itself: the readers would report it as one without
     * valid material (Netty), or by its bare path (the JDK).
     */
    private static void requireFile(final Path file, final String what)
    {
        if (!Files.isRegularFile(file))
        {
            throw new UncheckedIOException("the admin endpoint's " + what + " " + file + ": no such file",
                new NoSuchFileException(file.toString()));
        }
        if (!Files.isReadable(file))
        {
            throw new UncheckedIOException("the admin endpoint's " + what + " " + file + ": not readable by this " +
                "process", new AccessDeniedException(file.toString()));
        }
    }

    private static boolean hasPrivateKey(final KeyStore store) throws KeyStoreException
    {
        for (final String alias : Collections.list(store.aliases()))
        {
            if (store.isKeyEntry(alias))
            {
                return true;
            }
        }
        return false;
    }

    private static SSLContext trusting(final KeyStore store) throws GeneralSecurityException
    {
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * @param certificateChain the node's certificate chain (PEM), as given to the transport.
     * @param privateKey       the node's private key (PKCS#8 PEM, unencrypted).
     * @return the server context.
     * @throws IllegalArgumentException if the material is invalid; {@link UncheckedIOException} if unreadable.
     */
    public static SslContext fromPemFiles(final Path certificateChain, final Path privateKey)
    {
        requireFile(certificateChain, "certificate chain");
        requireFile(privateKey, "private key");
        try
        {
            return SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile())
                .sslProvider(SslProvider.JDK).build();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the admin endpoint's certificate " + certificateChain +
                " or key " + privateKey + ": " + ex.getMessage(), ex);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("invalid certificate " + certificateChain + " or key " + privateKey +
                " for the admin endpoint: " + ex.getMessage(), ex);
        }
    }
}
