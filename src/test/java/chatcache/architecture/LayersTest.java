package chatcache.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layers of the service's code, top to bottom; a layer uses only layers below it, and no two
 * packages use each other. A change that imports upwards fails here (README, Architecture). The
 * benchmark is not part of the service: it is a Maven project of its own (bench/) on top of the
 * service's jar, so nothing here may name it ({@link #theServiceDoesNotKnowTheBench}).
 *
 * <pre>
 *   Entry        App, CacheCommand                  the command line
 *   Web          web/                               HTTP only
 *   Wiring       ChatCache, Config, metrics/        reads the settings, builds the parts; what /metrics shows
 *   Replication  replication/                       keeps the copy in step
 *   Adapters     mysql/, redis/, Tunables           the stores; the numbers of their pools and relays
 *   Services     chat/, events/, ratelimit/         chats and access, live events, rate limits
 *   Messages     message/                           routing, pages, writes, read marking
 *   Basics       query/, user/                      criteria and filters; tokens and callers
 *   Ground       core/, logging/, background/,      shared domain types, logs, loops, the Redis toolkit
 *                rediskit/, Settings,                (scripts, transactions, errors), the settings reader
 *                InvalidConfigException, Version
 * </pre>
 */
class LayersTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("chatcache");

    private static final String[] LAYERS = {"Entry", "Web", "Wiring", "Replication", "Adapters", "Services", "Messages",
            "Basics", "Ground"};

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        Architectures.LayeredArchitecture layers = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Entry").definedBy(named("chatcache.App", "chatcache.CacheCommand"))
                .layer("Web").definedBy("chatcache.web..")
                .layer("Wiring").definedBy(named("chatcache.ChatCache", "chatcache.Config").or(resideInAnyPackage("chatcache.metrics..")))
                .layer("Replication").definedBy("chatcache.replication..")
                .layer("Adapters").definedBy(named("chatcache.Tunables").or(resideInAnyPackage("chatcache.mysql..", "chatcache.redis..")))
                .layer("Services").definedBy("chatcache.chat..", "chatcache.events..", "chatcache.ratelimit..")
                .layer("Messages").definedBy("chatcache.message..")
                .layer("Basics").definedBy("chatcache.query..", "chatcache.user..")
                .layer("Ground").definedBy(ground());
        for (int i = 0; i < LAYERS.length - 1; i++) {
            String[] below = java.util.Arrays.copyOfRange(LAYERS, i + 1, LAYERS.length);
            layers = layers.whereLayer(LAYERS[i]).mayOnlyAccessLayers(below);
        }
        layers.whereLayer("Ground").mayNotAccessAnyLayer().check(MAIN);
    }

    /** The bench (bench/, its own jar) uses the service; the service never the bench, and no class of it lives in chatcache.bench. */
    @Test
    void theServiceDoesNotKnowTheBench() {
        noClasses().should().resideInAPackage("chatcache.bench..")
                .orShould().dependOnClassesThat().resideInAPackage("chatcache.bench..").check(MAIN);
    }

    @Test
    void noPackagesUseEachOther() {
        slices().matching("chatcache.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    /** The bottom: shared domain types and what every layer may use; the root package's settings. */
    private static DescribedPredicate<JavaClass> ground() {
        return resideInAnyPackage("chatcache.core..", "chatcache.logging..", "chatcache.background..", "chatcache.rediskit..")
                .or(named("chatcache.Settings", "chatcache.InvalidConfigException", "chatcache.Version"));
    }

    /** These classes of the root package (some are not public), with their nested classes. */
    private static DescribedPredicate<JavaClass> named(String... names) {
        return DescribedPredicate.describe(String.join(", ", names), c -> java.util.Arrays.stream(names)
                .anyMatch(n -> c.getName().equals(n) || c.getName().startsWith(n + "$")));
    }
}
