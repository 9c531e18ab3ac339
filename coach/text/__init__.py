"""Text basics shared by every reader of notes: normalisation (`normalize`), language
(`language`), scripts (`script`), segmentation (`segment`), Japanese morphology (`japanese`),
numbers with units (`numbers`), dates (`dates`, `due`, `periods`), similarity and input checks."""
