//! The one integration-test binary: a module per feature, sharing `support`.

mod support;

mod docs;
mod foundation;
mod site;
mod sync;
