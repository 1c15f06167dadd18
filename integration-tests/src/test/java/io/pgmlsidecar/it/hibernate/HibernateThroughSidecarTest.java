package io.pgmlsidecar.it.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.TestCluster;
import jakarta.persistence.OptimisticLockException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.StaleObjectStateException;
import org.hibernate.cfg.Configuration;
import org.hibernate.exception.ConstraintViolationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hibernate ORM 6, configured only with the sidecar's JDBC URL: schema export, CRUD, JPQL, rollback. */
class HibernateThroughSidecarTest {

    private static final TestCluster cluster = TestCluster.get();
    private static SessionFactory sessionFactory;

    @BeforeAll
    static void bootstrap() {
        sessionFactory = new Configuration()
                .addAnnotatedClass(Author.class)
                .addAnnotatedClass(Book.class)
                .setProperty("hibernate.connection.url", cluster.sidecarJdbcUrl(null))
                .setProperty("hibernate.connection.username", "postgres")
                .setProperty("hibernate.connection.pool_size", "2")
                .setProperty("hibernate.hbm2ddl.auto", "create-drop")
                .setProperty("hibernate.jdbc.batch_size", "20")
                .setProperty("hibernate.order_inserts", "true")
                .setProperty("hibernate.show_sql", "false")
                .buildSessionFactory();
    }

    @AfterAll
    static void close() {
        if (sessionFactory != null) {
            sessionFactory.close();
        }
        // create-drop removed the schema again, through the sidecar
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class WHERE relname LIKE 'it_hib_%'")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void clean() {
        sessionFactory.inTransaction(s -> {
            s.createMutationQuery("delete from Book").executeUpdate();
            s.createMutationQuery("delete from Author").executeUpdate();
        });
    }

    @Test
    void schemaWasCreatedUpstream() throws Exception {
        try (Connection c = cluster.connectDirect(null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class "
                     + "WHERE relname IN ('it_hib_author', 'it_hib_book', 'it_hib_book_seq')")) {
            assertTrue(rs.next());
            assertEquals("it_hib_author,it_hib_book,it_hib_book_seq", rs.getString(1));
        }
    }

    @Test
    void createReadUpdateDelete() {
        Instant published = Instant.parse("2001-09-09T01:46:40.123456Z");
        Long[] ids = new Long[2];
        sessionFactory.inTransaction(s -> {
            Author a = new Author("Ursula", LocalDate.of(1929, 10, 21));
            s.persist(a);
            Book b = new Book("The Dispossessed", new BigDecimal("12.50"), 387, published, a);
            s.persist(b);
            ids[0] = a.getId();
            ids[1] = b.getId();
        });
        assertNotNull(ids[0]);
        assertNotNull(ids[1]);

        sessionFactory.inSession(s -> {
            Book b = s.find(Book.class, ids[1]);
            assertEquals("The Dispossessed", b.getTitle());
            assertEquals(new BigDecimal("12.50"), b.getPrice());
            assertEquals(387, b.getPages());
            assertEquals(published.truncatedTo(ChronoUnit.MICROS), b.getPublishedAt());
            assertEquals(java.util.UUID.nameUUIDFromBytes("The Dispossessed".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    b.getIsbnUuid());
            // lazy association loaded by a second query
            assertEquals("Ursula", b.getAuthor().getName());
            assertEquals(LocalDate.of(1929, 10, 21), b.getAuthor().getBorn());
        });

        sessionFactory.inTransaction(s -> {
            Book b = s.find(Book.class, ids[1]);
            b.setPrice(new BigDecimal("9.99"));
            Author a = s.find(Author.class, ids[0]);
            a.setName("Ursula K. Le Guin");
        });
        sessionFactory.inSession(s -> {
            assertEquals(new BigDecimal("9.99"), s.find(Book.class, ids[1]).getPrice());
            Author a = s.find(Author.class, ids[0]);
            assertEquals("Ursula K. Le Guin", a.getName());
            assertEquals(1, a.getVersion());
        });

        sessionFactory.inTransaction(s -> {
            s.remove(s.find(Book.class, ids[1]));
            s.remove(s.find(Author.class, ids[0]));
        });
        sessionFactory.inSession(s -> {
            assertNull(s.find(Book.class, ids[1]));
            assertNull(s.find(Author.class, ids[0]));
        });
    }

    @Test
    void jpqlWithParameterAndJoin() {
        sessionFactory.inTransaction(s -> {
            Author le = new Author("Le Guin", LocalDate.of(1929, 10, 21));
            Author lem = new Author("Lem", LocalDate.of(1921, 9, 12));
            s.persist(le);
            s.persist(lem);
            // more books than hibernate.jdbc.batch_size: the inserts go out as JDBC batches
            for (int i = 0; i < 45; i++) {
                Author a = i % 3 == 0 ? lem : le;
                s.persist(new Book("Book " + i, BigDecimal.valueOf(i).add(new BigDecimal("0.25")), 100 + i, Instant.EPOCH, a));
            }
        });

        sessionFactory.inSession(s -> {
            List<Book> lemBooks = s.createSelectionQuery(
                            "select b from Book b join fetch b.author a where a.name = :name and b.pages >= :minPages order by b.pages",
                            Book.class)
                    .setParameter("name", "Lem")
                    .setParameter("minPages", 120)
                    .getResultList();
            // Lem has books 0, 3, ..., 42 -> pages 100..142; pages >= 120 -> i in 21..42 step 3
            assertEquals(List.of(121, 124, 127, 130, 133, 136, 139, 142), lemBooks.stream().map(Book::getPages).toList());
            assertTrue(lemBooks.stream().allMatch(b -> b.getAuthor().getName().equals("Lem")));

            List<Object[]> perAuthor = s.createSelectionQuery(
                            "select a.name, count(b), sum(b.price) from Book b join b.author a group by a.name order by a.name",
                            Object[].class)
                    .getResultList();
            assertEquals(2, perAuthor.size());
            assertEquals("Le Guin", perAuthor.get(0)[0]);
            assertEquals(30L, perAuthor.get(0)[1]);
            assertEquals("Lem", perAuthor.get(1)[0]);
            assertEquals(15L, perAuthor.get(1)[1]);
            // sum over i of (i + 0.25) for i = 0..44 is 990 + 11.25
            BigDecimal total = ((BigDecimal) perAuthor.get(0)[2]).add((BigDecimal) perAuthor.get(1)[2]);
            assertEquals(0, new BigDecimal("1001.25").compareTo(total), total.toString());

            // the same query many times: pgjdbc switches to a named server statement after 5 uses
            for (int i = 0; i < 8; i++) {
                Long n = s.createSelectionQuery("select count(b) from Book b where b.author.name = :n", Long.class)
                        .setParameter("n", i % 2 == 0 ? "Lem" : "Le Guin")
                        .getSingleResult();
                assertEquals(i % 2 == 0 ? 15L : 30L, n);
            }
        });
    }

    @Test
    void rollbackLeavesNothingBehind() throws Exception {
        RuntimeException boom = assertThrows(RuntimeException.class, () -> sessionFactory.inTransaction(s -> {
            Author a = new Author("Ghost", null);
            s.persist(a);
            for (int i = 0; i < 10; i++) {
                s.persist(new Book("Ghost book " + i, BigDecimal.ONE, i, Instant.EPOCH, a));
            }
            s.flush(); // the rows really reach PostgreSQL inside the transaction
            Long inTx = s.createSelectionQuery("select count(b) from Book b", Long.class).getSingleResult();
            assertEquals(10L, inTx);
            throw new IllegalStateException("abort the unit of work");
        }));
        assertEquals("abort the unit of work", boom.getMessage());
        sessionFactory.inSession(s -> {
            assertEquals(0L, s.createSelectionQuery("select count(a) from Author a", Long.class).getSingleResult());
            assertEquals(0L, s.createSelectionQuery("select count(b) from Book b", Long.class).getSingleResult());
        });
        try (Connection c = cluster.connectDirect(null); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM it_hib_author) + (SELECT count(*) FROM it_hib_book)")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    void constraintViolationRollsBackAndSessionFactoryStaysUsable() {
        sessionFactory.inTransaction(s -> s.persist(new Author("Unique", null)));
        Exception e = assertThrows(Exception.class, () -> sessionFactory.inTransaction(s -> {
            s.persist(new Author("Other", null));
            s.persist(new Author("Unique", null));
            s.flush();
        }));
        ConstraintViolationException cve = findCause(e, ConstraintViolationException.class);
        assertNotNull(cve, String.valueOf(e));
        assertEquals("23505", cve.getSQLState());
        sessionFactory.inSession(s -> assertEquals(List.of("Unique"),
                s.createSelectionQuery("select a.name from Author a order by a.name", String.class).getResultList()));
    }

    @Test
    void optimisticLockingDetectsConcurrentUpdate() {
        Long id = sessionFactory.fromTransaction(s -> {
            Author a = new Author("Versioned", null);
            s.persist(a);
            return a.getId();
        });
        try (Session first = sessionFactory.openSession(); Session second = sessionFactory.openSession()) {
            first.beginTransaction();
            second.beginTransaction();
            Author a1 = first.find(Author.class, id);
            Author a2 = second.find(Author.class, id);
            a1.setName("Versioned-1");
            first.getTransaction().commit();
            a2.setName("Versioned-2");
            Exception e = assertThrows(Exception.class, () -> second.getTransaction().commit());
            assertTrue(findCause(e, StaleObjectStateException.class) != null || findCause(e, OptimisticLockException.class) != null,
                    String.valueOf(e));
        }
        sessionFactory.inSession(s -> assertEquals("Versioned-1", s.find(Author.class, id).getName()));
    }

    private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
