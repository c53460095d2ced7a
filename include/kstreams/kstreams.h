// File: kstreams/kstreams.h
//
// Everything an application needs to build a topology. Opt-in extras have their own headers:
// <kstreams/serde/protobuf.h>, <kstreams/serde/reflect.h>,
// <kstreams/testing/topology_test_driver.h>.
#pragma once

#include <kstreams/branched.h>
#include <kstreams/branched_kstream.h>
#include <kstreams/bytes.h>
#include <kstreams/consumed.h>
#include <kstreams/errors.h>
#include <kstreams/global_ktable.h>
#include <kstreams/grouped.h>
#include <kstreams/headers.h>
#include <kstreams/kgrouped_stream.h>
#include <kstreams/kstream.h>
#include <kstreams/ktable.h>
#include <kstreams/materialized.h>
#include <kstreams/named.h>
#include <kstreams/printed.h>
#include <kstreams/processor.h>
#include <kstreams/produced.h>
#include <kstreams/punctuation.h>
#include <kstreams/record.h>
#include <kstreams/serde.h>
#include <kstreams/serdes.h>
#include <kstreams/state/key_value_store.h>
#include <kstreams/status.h>
#include <kstreams/streams_builder.h>
#include <kstreams/streams_config.h>
#include <kstreams/task_id.h>
#include <kstreams/topology.h>
