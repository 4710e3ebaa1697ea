"""Joint drills: scripted scenarios (`scenario`) flown on a simulated clock (`flight`)
through the same core as operations (`runner`), their expected outcomes judged
(`outcomes`)."""
