package dev.ra.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The live view's files, read once from this jar ({@code dev/ra/admin/}): nothing is built, nothing is fetched from
 * elsewhere.
 *
 * @param files by request path: content type and bytes.
 */
record StaticAssets(Map<String, Asset> files)
{
    /**
     * One file.
     *
     * @param contentType of the file.
     * @param bytes       of the file.
     */
    record Asset(String contentType, byte[] bytes)
    {
    }

    /**
     * @return the page ({@code /}), its script and its style sheet.
     */
    static StaticAssets load()
    {
        return new StaticAssets(Map.of(
            "/", new Asset("text/html; charset=utf-8", resource("live-view.html")),
            "/live-view.js", new Asset("text/javascript; charset=utf-8", resource("live-view.js")),
            "/live-view.css", new Asset("text/css; charset=utf-8", resource("live-view.css"))));
    }

    private static byte[] resource(final String name)
    {
        try (InputStream in = StaticAssets.class.getResourceAsStream(name))
        {
            if (null == in)
            {
                throw new IllegalStateException("the admin endpoint's " + name + " is missing from its jar");
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the admin endpoint's " + name, ex);
        }
    }
}
