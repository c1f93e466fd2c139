// posfleet agent, tests only: the fake DDI server's older name; see fake_ddi_client.h.
#pragma once

#include "agent/ddi/fake_ddi_client.h"
