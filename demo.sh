#!/usr/bin/env bash
# The distributed toolbox demo (ra-examples: dev.ra.examples.demo.ToolboxDemo) on a real 3-node cluster: Netty on
# loopback, ra-log on disk, child JVMs killed with kill -9. Run from anywhere: bash demo.sh
# With --admin-port N (bash demo.sh --admin-port 8080) it also serves the live view on http://127.0.0.1:N/.
# Needs a JDK 17+ and Maven 3.8+; installs nothing into ~/.m2.
set -euo pipefail
cd "$(dirname "$0")"

# Compile ra-examples and the modules it depends on, and write its runtime class path. -Dmaven.test.skip=true means
# no test is compiled or run; the test-compile phase is only there so that the reactor can resolve ra-core's
# test-jar, which dependency:build-classpath resolves for every module.
mvn -B -q -pl ra-examples -am test-compile dependency:build-classpath -Dmaven.test.skip=true \
    -Dmdep.includeScope=runtime -Dmdep.outputFile=target/demo.classpath

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# Netty loads its native epoll transport with System.loadLibrary, a restricted method that JDK 24 and later warn
# about unless native access is enabled; JDK 17 accepts the option too.
exec "$JAVA" --enable-native-access=ALL-UNNAMED -cp "ra-examples/target/classes:$(cat ra-examples/target/demo.classpath)" \
    dev.ra.examples.demo.ToolboxDemo "$@"
