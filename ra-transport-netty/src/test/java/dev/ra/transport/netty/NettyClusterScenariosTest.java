package dev.ra.transport.netty;

import dev.ra.testkit.ClusterScenarios;
import dev.ra.testkit.TransportFactory;

/**
 * The shared cluster scenarios of the runtime, over Netty on loopback: several {@link dev.ra.RaSystem}s in this JVM
 * connected by TCP.
 */
class NettyClusterScenariosTest extends ClusterScenarios
{
    @Override
    protected TransportFactory transports()
    {
        return new LoopbackTransports(4);
    }
}
