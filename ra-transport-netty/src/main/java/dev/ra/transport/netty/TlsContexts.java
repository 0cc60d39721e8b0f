package dev.ra.transport.netty;

import io.netty.handler.ssl.ClientAuth;
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
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the server and client TLS contexts of a node (JDK provider, mutual authentication required) and checks that
 * a peer's certificate names the node id it claims.
 *
 * <p>Host name verification is off on purpose: nodes are addressed by IP or by names that change with deployments,
 * while their identity is the node id; the handshake binds the certificate to that id instead (both directions).
 */
final class TlsContexts
{
    final SslContext server;
    final SslContext client;

    TlsContexts(final TlsConfig tls)
    {
        try
        {
            if (null != tls.keyStore)
            {
                final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                final KeyStore keyStore = load("key store", tls.keyStore, tls.keyStorePassword);
                if (!hasPrivateKey(keyStore))
                {
                    // The JDK would make a context without a key: every handshake with every peer would fail.
                    throw new IllegalArgumentException("the TLS key store " + tls.keyStore + " holds no private " +
                        "key (a trust store?): it needs this node's key and certificate chain");
                }
                keys.init(keyStore, tls.keyStorePassword);
                final TrustManagerFactory trust =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(load("trust store", tls.trustStore, tls.trustStorePassword));
                server = SslContextBuilder.forServer(keys).trustManager(trust).clientAuth(ClientAuth.REQUIRE)
                    .sslProvider(SslProvider.JDK).build();
                client = SslContextBuilder.forClient().keyManager(keys).trustManager(trust)
                    .endpointIdentificationAlgorithm(null).sslProvider(SslProvider.JDK).build();
            }
            else
            {
                requireFile("certificate chain", tls.certificateChainPem);
                requireFile("private key", tls.privateKeyPem);
                requireFile("trusted certificates", tls.trustedCertificatesPem);
                server = SslContextBuilder.forServer(tls.certificateChainPem.toFile(), tls.privateKeyPem.toFile())
                    .trustManager(tls.trustedCertificatesPem.toFile()).clientAuth(ClientAuth.REQUIRE)
                    .sslProvider(SslProvider.JDK).build();
                client = SslContextBuilder.forClient()
                    .keyManager(tls.certificateChainPem.toFile(), tls.privateKeyPem.toFile())
                    .trustManager(tls.trustedCertificatesPem.toFile()).endpointIdentificationAlgorithm(null)
                    .sslProvider(SslProvider.JDK).build();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the TLS key or trust material", ex);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalArgumentException("invalid TLS key or trust material: " + ex.getMessage(), ex);
        }
    }

    /**
     * A file that is missing or unreadable is said to be so: Netty reports it as one without valid certificates or
     * keys.
     */
    private static void requireFile(final String what, final Path file)
    {
        if (!Files.exists(file))
        {
            throw new UncheckedIOException("the TLS " + what + " " + file + ": no such file",
                new NoSuchFileException(file.toString()));
        }
        if (!Files.isReadable(file))
        {
            throw new UncheckedIOException("the TLS " + what + " " + file + ": not readable by this process",
                new AccessDeniedException(file.toString()));
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

    /**
     * @param what "key store" or "trust store", for the error.
     * @throws UncheckedIOException naming which store and its path, if it cannot be read (missing, a wrong password).
     */
    private static KeyStore load(final String what, final Path path, final char[] password)
        throws GeneralSecurityException
    {
        final KeyStore store = KeyStore.getInstance(path.toString().endsWith(".jks") ? "JKS" : "PKCS12");
        try (InputStream in = Files.newInputStream(path))
        {
            store.load(in, password);
        }
        catch (final IOException ex)
        {
            // A wrong password shows as an IOException too: say which of the two stores, and where.
            throw new UncheckedIOException("cannot read the TLS " + what + " " + path + ": " + ex, ex);
        }
        return store;
    }

    /**
     * @param session of the established TLS connection.
     * @param nodeId  the peer claims.
     * @return null if the peer's certificate names {@code nodeId} (common name or DNS subject alternative name),
     *         else why not.
     */
    static String certificateMismatch(final SSLSession session, final String nodeId)
    {
        final Certificate[] chain;
        try
        {
            chain = session.getPeerCertificates();
        }
        catch (final SSLPeerUnverifiedException ex)
        {
            return "the peer presented no verified certificate";
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate cert))
        {
            return "the peer presented no X.509 certificate";
        }
        final String subject = cert.getSubjectX500Principal().getName();
        try
        {
            for (final Rdn rdn : new LdapName(subject).getRdns())
            {
                if ("CN".equalsIgnoreCase(rdn.getType()) && nodeId.equals(String.valueOf(rdn.getValue())))
                {
                    return null;
                }
            }
        }
        catch (final InvalidNameException ex)
        {
            return "unparsable certificate subject " + subject;
        }
        try
        {
            if (null != cert.getSubjectAlternativeNames())
            {
                for (final List<?> name : cert.getSubjectAlternativeNames())
                {
                    if (Integer.valueOf(2).equals(name.get(0)) && nodeId.equals(name.get(1)))
                    {
                        return null;
                    }
                }
            }
        }
        catch (final java.security.cert.CertificateParsingException ex)
        {
            return "unparsable subject alternative names";
        }
        return "certificate subject " + subject + " does not name node " + nodeId;
    }
}
