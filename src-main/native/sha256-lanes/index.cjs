'use strict';
module.exports = require('./build/Release/sha256_lanes.node');
