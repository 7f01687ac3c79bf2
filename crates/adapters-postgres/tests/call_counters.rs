//! The trigger-kept call counters (`user_call_counts`, `user_call_day_counts`) against a recount
//! of `calls`, after the statements the server never sends but imports and operators do: bulk
//! inserts, updates and deletes of many rows in one statement, from several connections at once.

use calls_adapters_postgres::testing::TestDatabase;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

#[derive(QueryableByName)]
struct Mismatches {
    #[diesel(sql_type = BigInt)]
    mismatches: i64,
}

/// Counter rows that differ from a recount, per user and per (user, day, status).
fn mismatches(conn: &mut PgConnection) -> i64 {
    diesel::sql_query(
        "SELECT
           (SELECT count(*) FROM (SELECT user_id, count(*) AS n FROM calls GROUP BY user_id) AS r
              FULL JOIN (SELECT * FROM user_call_counts WHERE total > 0) AS c USING (user_id)
              WHERE r.n IS DISTINCT FROM c.total)
         + (SELECT count(*) FROM (SELECT user_id, calls_platform_call_day(start_time) AS day,
                                         status, count(*) AS n
                                  FROM calls GROUP BY 1, 2, 3) AS r
              FULL JOIN (SELECT * FROM user_call_day_counts WHERE total > 0) AS c
                USING (user_id, day, status)
              WHERE r.n IS DISTINCT FROM c.total) AS mismatches",
    )
    .get_result::<Mismatches>(conn)
    .expect("recount")
    .mismatches
}

#[derive(QueryableByName)]
struct Writes {
    #[diesel(sql_type = BigInt)]
    writes: i64,
}

fn writes(conn: &mut PgConnection, user: &str) -> i64 {
    diesel::sql_query(format!(
        "SELECT writes FROM user_call_counts WHERE user_id = '{user}'"
    ))
    .get_result::<Writes>(conn)
    .expect("the user's counter row")
    .writes
}

fn user(n: u32) -> String {
    format!("00000000-0000-0000-0000-{n:012}")
}

const INSERT_USERS: &str = "INSERT INTO users (id, email, password_hash)
    SELECT ('00000000-0000-0000-0000-' || lpad(n::text, 12, '0'))::uuid, 'u' || n || '@example.com', 'x'
    FROM generate_series(1, 8) AS n";

#[test]
fn bulk_statements_keep_every_counter_exact() {
    let Some((database, _storage)) = TestDatabase::migrated() else {
        return;
    };
    let mut conn = database.raw_connection();
    conn.batch_execute(INSERT_USERS).expect("users");
    let first = user(1);
    let second = user(2);
    conn.batch_execute(&format!(
        "INSERT INTO calls (user_id, phone_number, start_time, status)
         SELECT '{first}', '+4930901820', timestamptz '2026-12-01 00:00:00+00' - n * interval '7 minutes',
                (ARRAY['completed', 'failed', 'canceled'])[1 + n % 3]
         FROM generate_series(1, 3000) AS n;
         INSERT INTO calls (user_id, phone_number, start_time, status)
         SELECT CASE WHEN n % 2 = 0 THEN '{first}'::uuid ELSE '{second}'::uuid END, '+4930901820',
                timestamptz '2026-11-20 23:59:59.999999+00' + n * interval '1 microsecond', 'initiated'
         FROM generate_series(0, 9) AS n;"
    ))
    .expect("bulk inserts");
    assert_eq!(mismatches(&mut conn), 0, "after bulk inserts");

    // An update that moves no call between counters still marks the user as written to (the
    // read replica compares that marker to decide whether it has caught up with the user).
    let writes_before = writes(&mut conn, &first);
    conn.batch_execute(&format!(
        "UPDATE calls SET sdp_answer = 'v=0' WHERE user_id = '{first}'"
    ))
    .expect("an update that moves nothing");
    assert_eq!(
        writes(&mut conn, &first),
        writes_before + 1,
        "one write per statement"
    );
    assert_eq!(
        mismatches(&mut conn),
        0,
        "after an update that moves nothing"
    );

    conn.batch_execute(&format!(
        "UPDATE calls SET status = 'failed' WHERE status = 'initiated';
         UPDATE calls SET start_time = start_time + interval '1 day'
           WHERE user_id = '{first}' AND status = 'canceled';
         UPDATE calls SET duration = 7 WHERE user_id = '{first}';
         UPDATE calls SET user_id = '{second}' WHERE user_id = '{first}' AND status = 'completed'
           AND start_time < timestamptz '2026-11-30 00:00:00+00';"
    ))
    .expect("bulk updates");
    assert_eq!(mismatches(&mut conn), 0, "after bulk updates");

    conn.batch_execute(&format!(
        "DELETE FROM calls WHERE user_id = '{second}' AND status = 'failed';
         DELETE FROM calls WHERE start_time < timestamptz '2026-11-25 00:00:00+00';"
    ))
    .expect("bulk deletes");
    assert_eq!(mismatches(&mut conn), 0, "after bulk deletes");

    conn.batch_execute(&format!("DELETE FROM users WHERE id = '{second}'"))
        .expect("a user and, by cascade, their calls");
    assert_eq!(mismatches(&mut conn), 0, "after a cascaded delete");
}

#[test]
fn concurrent_writers_keep_every_counter_exact() {
    let Some((database, _storage)) = TestDatabase::migrated() else {
        return;
    };
    database
        .raw_connection()
        .batch_execute(INSERT_USERS)
        .expect("users");
    let url = database.url().to_owned();
    let writers: Vec<_> = (0..6u32)
        .map(|writer| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).expect("writer connection");
                for round in 0..15u32 {
                    // Every writer touches the same users and days, so they race on the same
                    // counter rows.
                    let owner = user(1 + (writer + round) % 3);
                    // Each writer updates and deletes only its own calls (its own number), so
                    // the writers never lock each other's call rows: what they share is the
                    // counter rows of the same users and days.
                    let number = format!("+4930901820{writer}");
                    // One statement per transaction, as the server writes: a statement's
                    // counter locks are taken in key order and held until its commit.
                    for statement in [
                        format!(
                            "INSERT INTO calls (user_id, phone_number, start_time, status)
                             SELECT '{owner}', '{number}',
                                    timestamptz '2026-11-28 12:00:00+00' + n * interval '3 hours',
                                    'initiated'
                             FROM generate_series(1, 20) AS n"
                        ),
                        format!(
                            "UPDATE calls SET status = 'active'
                             WHERE id IN (SELECT id FROM calls
                                          WHERE phone_number = '{number}' AND status = 'initiated'
                                          ORDER BY id LIMIT 10)"
                        ),
                        format!(
                            "DELETE FROM calls WHERE id IN (SELECT id FROM calls
                                                           WHERE phone_number = '{number}'
                                                             AND status = 'active'
                                                           ORDER BY id DESC LIMIT 3)"
                        ),
                    ] {
                        conn.batch_execute(&statement)
                            .expect("a writer's statement");
                    }
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer thread");
    }
    let mut conn = database.raw_connection();
    assert_eq!(mismatches(&mut conn), 0, "after concurrent writers");
}

#[test]
fn the_day_of_a_call_is_floored_to_the_microsecond() {
    let Some((database, _storage)) = TestDatabase::migrated() else {
        return;
    };
    #[derive(QueryableByName)]
    struct Day {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        day: i32,
    }
    let mut conn = database.raw_connection();
    for (time, wanted) in [
        ("1970-01-01 00:00:00+00", 0),
        ("1970-01-01 23:59:59.999999+00", 0),
        ("1970-01-02 00:00:00+00", 1),
        ("1969-12-31 23:59:59.999999+00", -1),
        ("2026-12-03 12:00:00+00", 20_790),
    ] {
        let Day { day } = diesel::sql_query(format!(
            "SELECT calls_platform_call_day(timestamptz '{time}') AS day"
        ))
        .get_result(&mut conn)
        .expect("day");
        assert_eq!(day, wanted, "{time}");
    }
}
