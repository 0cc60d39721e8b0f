package dev.ra.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No Netty type leaves the module: no public type of the package mentions {@code io.netty} in a public or protected
 * signature (the build would otherwise leak Netty into every application's compile class path).
 */
class PublicApiTest
{
    private static final List<Class<?>> PUBLIC_TYPES = List.of(NettyTransport.class, NettyTransportConfig.class,
        NettyTransportConfig.Builder.class, TlsConfig.class, TransportStats.class, WireCodec.class);

    @Test
    void noPublicSignatureMentionsNetty()
    {
        final List<String> leaks = new ArrayList<>();
        for (final Class<?> type : PUBLIC_TYPES)
        {
            assertThat(Modifier.isPublic(type.getModifiers())).as(type.getName()).isTrue();
            check(type.getGenericSuperclass(), type.getName() + " extends", leaks);
            for (final Type implemented : type.getGenericInterfaces())
            {
                check(implemented, type.getName() + " implements", leaks);
            }
            for (final Method method : type.getDeclaredMethods())
            {
                if (Modifier.isPublic(method.getModifiers()) || Modifier.isProtected(method.getModifiers()))
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
                if (Modifier.isPublic(constructor.getModifiers()))
                {
                    for (final Type parameter : constructor.getGenericParameterTypes())
                    {
                        check(parameter, constructor.toGenericString(), leaks);
                    }
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    private static void check(final Type type, final String where, final List<String> leaks)
    {
        if (null != type && type.getTypeName().contains("io.netty"))
        {
            leaks.add(where + ": " + type.getTypeName());
        }
    }
}
