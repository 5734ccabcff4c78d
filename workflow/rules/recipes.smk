"""Training-recipe study (target `recipes`, not part of `all`): active z2 units along training
for each recipe of params.yaml's `recipes` section, and their figure."""


rule training_recipe:
    input:
        natural=lambda w: intact("data/processed/natural_patches.npz"),
        code=script_code("training_recipe"),
    output:
        "results/recipes/{recipe}.csv",
    log:
        "logs/recipes/{recipe}.log",
    benchmark:
        bench("training_recipe", "{recipe}")
    wildcard_constraints:
        recipe="|".join(map(re.escape, config["recipes"]["runs"])),
    conda:
        ENV
    threads: config["train"]["threads"]
    resources:
        gpu=1,
        mem_mb=8000,
    params:
        cfg=section("seed", "device", "train", "units", "recipes"),
        run_dir=lambda w: f"results/recipes/{w.recipe}_run",
    script:
        "../scripts/training_recipe.py"


rule figS5_training_recipes:
    input:
        curves=expand("results/recipes/{recipe}.csv", recipe=config["recipes"]["runs"]),
        code=script_code("figS5_training_recipes"),
    output:
        png=report(
            "figures/figS5_training_recipes.png",
            caption="../report/figS5_training_recipes.rst",
            category="Model",
        ),
        pdf="figures/figS5_training_recipes.pdf",
    log:
        "logs/figures/figS5_training_recipes.log",
    benchmark:
        bench("figS5_training_recipes")
    conda:
        ENV
    threads: 1
    script:
        "../scripts/figS5_training_recipes.py"


rule recipes:
    input:
        "figures/figS5_training_recipes.png",
