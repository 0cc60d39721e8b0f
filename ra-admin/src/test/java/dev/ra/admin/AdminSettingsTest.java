package dev.ra.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ra.testkit.InJvmCluster;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The endpoint configured from a node's settings ({@link AdminServer.Builder#settings}): each bad value is refused
 * with its key, and so is an unknown key of the endpoint's ({@code admin.*}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminSettingsTest
{
    @Test
    void settingsConfigureTheEndpoint()
    {
        try (InJvmCluster cluster = new InJvmCluster(1);
            AdminServer admin = AdminServer.builder().system(cluster.system("n1")).settings(Map.of(
                "admin.host", "127.0.0.1", "admin.port", "0", "admin.token", "abc",
                "admin.peers", "n2=http://127.0.0.1:1/,n3=http://127.0.0.1:2/", "listen", "ignored")).build())
        {
            admin.start();
            assertThat(admin.url()).startsWith("http://127.0.0.1:");
        }
    }

    @Test
    void badValuesAndUnknownAdminKeysNameTheirKey()
    {
        final Map<Map<String, String>, String> bad = Map.ofEntries(
            Map.entry(Map.of("admin.port", "http"), "admin.port"),
            Map.entry(Map.of("admin.port", "70000"), "admin.port"),
            Map.entry(Map.of("admin.token", "two words"), "admin.token"),
            Map.entry(Map.of("admin.peers", "n2"), "admin.peers"),
            Map.entry(Map.of("admin.peers", "n2=ftp://x/"), "admin.peers"),
            Map.entry(Map.of("admin.tls", "true"), "tls.keystore"),
            Map.entry(Map.of("admin.tls", "true", "tls.keystore", "/nonexistent/n1.p12"), "n1.p12"),
            // Read as a Java boolean, "yes" would be false: the token and the data served over plain HTTP.
            Map.entry(Map.of("admin.tls", "yes"), "admin.tls"),
            // One slash short: a URL with no host, to which no request can be made.
            Map.entry(Map.of("admin.peers", "n2=http:/127.0.0.1:9091/"), "admin.peers"),
            Map.entry(Map.of("admin.peers", "n2=http://127.0.0.1:9091/,n2=http://127.0.0.1:9092/"), "admin.peers"),
            Map.entry(Map.of("admin.tsl", "true"), "admin.tsl"),
            // Compared with the Host header's name without its port: a name given with one never matched, and the
            // 403 then told the operator to add to admin.hosts the very name it held.
            Map.entry(Map.of("admin.hosts", "ops.example,ra1.example:9090"), "admin.hosts"),
            Map.entry(Map.of("admin.hosts", "[::1]:9090"), "admin.hosts"));
        bad.forEach((settings, key) -> assertThatThrownBy(() -> AdminServer.builder().settings(settings))
            .as("%s", settings).hasMessageContaining(key));
        assertThatThrownBy(() -> AdminServer.builder().allowedHosts("ra1.example:9090"))
            .hasMessageContaining("ra1.example:9090").hasMessageContaining("without its port");
    }

    @Test
    void allowedHostsTakeNamesAndAddressesWithoutPorts()
    {
        AdminServer.builder().allowedHosts("ra1.example", "10.0.0.2", "::1", "[fe80::1]", "fe80::1:9090", "*");
    }
}
