package dev.ra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API (package {@code dev.ra}) speaks its own types: no public or protected signature of a public type of
 * the package mentions a type of the engine's internal packages (the wire and log types of {@code dev.ra.protocol},
 * the core, the runtime). Those change with the formats and the engine; an application compiled against them would
 * break with them. The SPI ({@code dev.ra.spi}) and the codecs ({@code dev.ra.codec}) are public by design.
 */
class PublicApiTest
{
    private static final List<String> INTERNAL_PACKAGES = List.of("dev.ra.protocol.", "dev.ra.core.",
        "dev.ra.runtime.");

    @Test
    void noPublicSignatureMentionsAnInternalType() throws Exception
    {
        final List<Class<?>> types = publicTypesOfTheApiPackage();
        assertThat(types).contains(RaSystem.class, RaSystemBuilder.class, RaCluster.class, Effect.ModCall.class);
        final List<String> leaks = new ArrayList<>();
        for (final Class<?> type : types)
        {
            check(type.getGenericSuperclass(), type.getName() + " extends", leaks);
            for (final Type implemented : type.getGenericInterfaces())
            {
                check(implemented, type.getName() + " implements", leaks);
            }
            for (final Method method : type.getDeclaredMethods())
            {
                if (isVisible(method.getModifiers()) && !method.isSynthetic())
                {
                    check(method.getGenericReturnType(), method.toGenericString(), leaks);
                    for (final Type parameter : method.getGenericParameterTypes())
                    {
                        check(parameter, method.toGenericString(), leaks);
                    }
                }
            }
            for (final Constructor<?> constructor : type.getDeclaredConstructors())
            {
                if (isVisible(constructor.getModifiers()))
                {
                    for (final Type parameter : constructor.getGenericParameterTypes())
                    {
                        check(parameter, constructor.toGenericString(), leaks);
                    }
                }
            }
            for (final Field field : type.getDeclaredFields())
            {
                if (isVisible(field.getModifiers()) && !field.isSynthetic())
                {
                    check(field.getGenericType(), type.getName() + "." + field.getName(), leaks);
                }
            }
        }
        assertThat(leaks).as("public signatures of dev.ra that mention internal types").isEmpty();
    }

    private static boolean isVisible(final int modifiers)
    {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /**
     * @return the public types of package {@code dev.ra} (not its subpackages), nested public types included.
     */
    private static List<Class<?>> publicTypesOfTheApiPackage() throws IOException, URISyntaxException,
        ClassNotFoundException
    {
        final Path dir = Path.of(RaSystem.class.getResource("RaSystem.class").toURI()).getParent();
        final List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.sorted().toList())
            {
                final String name = file.getFileName().toString();
                if (name.endsWith(".class") && !name.equals("package-info.class"))
                {
                    final Class<?> type = Class.forName("dev.ra." + name.substring(0, name.length() - 6));
                    if (isPublicAllTheWay(type))
                    {
                        types.add(type);
                    }
                }
            }
        }
        return types;
    }

    private static boolean isPublicAllTheWay(final Class<?> type)
    {
        for (Class<?> t = type; null != t; t = t.getEnclosingClass())
        {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass())
            {
                return false;
            }
        }
        return true;
    }

    private static void check(final Type type, final String where, final List<String> leaks)
    {
        if (type instanceof Class<?> c)
        {
            final Class<?> element = c.isArray() ? c.getComponentType() : c;
            if (INTERNAL_PACKAGES.stream().anyMatch(p -> element.getName().startsWith(p)))
            {
                leaks.add(where + ": " + element.getName());
            }
        }
        else if (type instanceof ParameterizedType p)
        {
            check(p.getRawType(), where, leaks);
            for (final Type argument : p.getActualTypeArguments())
            {
                check(argument, where, leaks);
            }
        }
        else if (type instanceof WildcardType w)
        {
            Stream.concat(Stream.of(w.getUpperBounds()), Stream.of(w.getLowerBounds()))
                .forEach(bound -> check(bound, where, leaks));
        }
        else if (type instanceof GenericArrayType a)
        {
            check(a.getGenericComponentType(), where, leaks);
        }
    }
}
