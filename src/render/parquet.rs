//! An exported ledger as Parquet (`cargo guild export --format parquet`), for DuckDB,
//! BigQuery and Spark. One Parquet row per ledger row: the `table` and the event's columns
//! flat (time, kind, person, other, pull request, target, domains) for queries, and `row`,
//! the whole row as the same JSON the JSON Lines format writes, which is what
//! `sources::ledgers` reads back from the `row` column (one schema for both formats). Uncompressed: the crate is
//! built without codecs, to keep the build small.

use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

use crate::events::exported::Row;

/// The columns, in order. `domains` is the event's domains joined by `,` (null for none).
const SCHEMA: &str = "
message ledger {
  REQUIRED BINARY table (UTF8);
  REQUIRED BINARY repository (UTF8);
  OPTIONAL INT64 time;
  OPTIONAL BINARY kind (UTF8);
  OPTIONAL BINARY person (UTF8);
  OPTIONAL BINARY other (UTF8);
  OPTIONAL INT64 pr_number;
  OPTIONAL BINARY target (UTF8);
  OPTIONAL BINARY domains (UTF8);
  REQUIRED BINARY row (UTF8);
}";

/// Rows per row group: bounds the writer's memory on big ledgers.
const GROUP: usize = 64 * 1024;

/// One optional column's values with their definition levels.
#[derive(Default)]
struct Col<T> {
    values: Vec<T>,
    defs: Vec<i16>,
}

impl<T> Col<T> {
    fn push(&mut self, v: Option<T>) {
        self.defs.push(i16::from(v.is_some()));
        self.values.extend(v);
    }
}

fn bytes(s: &str) -> ByteArray {
    ByteArray::from(s.as_bytes().to_vec())
}

/// Writes `rows` as Parquet to `out`.
pub fn write<W: std::io::Write + Send>(rows: &[Row], out: W) -> anyhow::Result<()> {
    let schema = Arc::new(parquet::schema::parser::parse_message_type(SCHEMA)?);
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(vec![KeyValue::new(
            "cargo_guild.schema_version".to_string(),
            crate::events::exported::SCHEMA_VERSION.to_string(),
        )]))
        .build();
    let mut writer = SerializedFileWriter::new(out, schema, Arc::new(props))?;
    for chunk in rows.chunks(GROUP) {
        let mut table = Vec::with_capacity(chunk.len());
        let mut repository = Vec::with_capacity(chunk.len());
        let mut time = Col::<i64>::default();
        let mut kind = Col::<ByteArray>::default();
        let mut person = Col::<ByteArray>::default();
        let mut other = Col::<ByteArray>::default();
        let mut pr_number = Col::<i64>::default();
        let mut target = Col::<ByteArray>::default();
        let mut domains = Col::<ByteArray>::default();
        let mut json = Vec::with_capacity(chunk.len());
        for row in chunk {
            let value = serde_json::to_value(row)?;
            table.push(bytes(value["table"].as_str().unwrap_or_default()));
            repository.push(bytes(value["repository"].as_str().unwrap_or_default()));
            json.push(ByteArray::from(serde_json::to_vec(row)?));
            match row {
                Row::Event(e) => {
                    time.push(Some(e.time));
                    kind.push(Some(bytes(e.kind.as_str())));
                    person.push(Some(bytes(&e.person)));
                    other.push(e.other.as_deref().map(bytes));
                    pr_number.push(e.pr_number.and_then(|n| i64::try_from(n).ok()));
                    target.push(Some(bytes(&e.target)));
                    // Null without domains, so that `string_split` gives no empty domain.
                    domains.push((!e.domains.is_empty()).then(|| bytes(&e.domains.join(","))));
                }
                _ => {
                    time.push(None);
                    kind.push(None);
                    person.push(None);
                    other.push(None);
                    pr_number.push(None);
                    target.push(None);
                    domains.push(None);
                }
            }
        }
        let mut group = writer.next_row_group()?;
        let mut index = 0;
        while let Some(mut col) = group.next_column()? {
            match index {
                0 | 1 | 9 => {
                    let values = match index {
                        0 => &table,
                        1 => &repository,
                        _ => &json,
                    };
                    col.typed::<ByteArrayType>()
                        .write_batch(values, None, None)?;
                }
                2 | 6 => {
                    let c = if index == 2 { &time } else { &pr_number };
                    col.typed::<Int64Type>()
                        .write_batch(&c.values, Some(&c.defs), None)?;
                }
                _ => {
                    let c = match index {
                        3 => &kind,
                        4 => &person,
                        5 => &other,
                        7 => &target,
                        _ => &domains,
                    };
                    col.typed::<ByteArrayType>()
                        .write_batch(&c.values, Some(&c.defs), None)?;
                }
            }
            col.close()?;
            index += 1;
        }
        group.close()?;
    }
    writer.close()?;
    Ok(())
}
