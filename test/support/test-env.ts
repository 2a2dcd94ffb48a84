// Before each test file, in every project: no AWS SDK client may look for credentials
// or a region on the instance metadata service.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
