//! The one integration-test binary: a module per feature, sharing `support`.

mod support;

mod domains;
mod foundation;
mod suggest;
