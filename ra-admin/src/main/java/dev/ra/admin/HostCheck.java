package dev.ra.admin;

import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} headers the endpoint answers, against DNS rebinding: a page on another site, open in the
 * operator's browser, makes its own name resolve to 127.0.0.1 and reads, as the same origin, what an endpoint on the
 * loopback address without a token serves. Its requests carry that site's name as {@code Host}, which no name of this
 * endpoint matches; they are refused, as Jupyter and other local web consoles do.
 *
 * <p>On a loopback address the names answered are {@code localhost}, the loopback addresses, the host the endpoint was
 * told to bind, and the names given ({@code admin.hosts}); on another address every name is answered unless names are
 * given, since a token or TLS is required there and the machine's names are many. {@code *} answers every name.
 */
final class HostCheck
{
    private final Set<String> names;

    private HostCheck(final Set<String> names)
    {
        this.names = names;
    }

    /**
     * @param bound    the address bound.
     * @param hostText the host the endpoint was told to bind, as given.
     * @param given    names given by the operator (lower or upper case; {@code *} for any).
     * @return the check.
     */
    static HostCheck of(final InetAddress bound, final String hostText, final Set<String> given)
    {
        if (given.contains("*") || (given.isEmpty() && !bound.isLoopbackAddress()))
        {
            return new HostCheck(null);
        }
        final Set<String> names = new LinkedHashSet<>();
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        names.add(normalised(hostText));
        names.add(normalised(bound.getHostAddress()));
        given.forEach(name -> names.add(normalised(name)));
        return new HostCheck(Set.copyOf(names));
    }

    /**
     * @param host the request's {@code Host} header, or null when it has none (HTTP/1.0 clients; browsers always send
     *             one).
     * @return null if the request may be answered, else why not, for the 403 answer.
     */
    String refusal(final String host)
    {
        if (null == names || null == host)
        {
            return null;
        }
        final String name = normalised(withoutPort(host.strip()));
        if (names.contains(name) || (name.startsWith("127.") && isAddress(name)))
        {
            return null;
        }
        return "Host '" + printable(host) + "' is not a name of this endpoint (refused against DNS rebinding): " +
            "add it to admin.hosts, or AdminServer.builder().allowedHosts(...)";
    }

    private static String withoutPort(final String host)
    {
        if (host.startsWith("["))
        {
            final int close = host.indexOf(']');
            return close < 0 ? host : host.substring(1, close);
        }
        final int colon = host.indexOf(':');
        return colon >= 0 && colon == host.lastIndexOf(':') ? host.substring(0, colon) : host;
    }

    private static String normalised(final String name)
    {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.startsWith("[") && n.endsWith("]"))
        {
            n = n.substring(1, n.length() - 1);
        }
        // "localhost." is the same name as "localhost" to DNS.
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private static boolean isAddress(final String name)
    {
        final String[] parts = name.split("\\.", -1);
        if (parts.length != 4)
        {
            return false;
        }
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit) ||
                Integer.parseInt(part) > 255)
            {
                return false;
            }
        }
        return true;
    }

    private static String printable(final String text)
    {
        final String shown = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
